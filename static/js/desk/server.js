/* What every request from the desk needs: knowing that the session ended (the admin sent
 * the request to its login page) and sending the current CSRF token. */

export function wentToLogin(response, loginUrl) {
  return response.redirected && new URL(response.url).pathname === loginUrl;
}

function csrfFromCookie() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : null;
}

/** Logging in again (in another tab) renews the CSRF token: send the current one. */
export function freshCsrf(form) {
  const token = csrfFromCookie();
  const field = form.elements.namedItem("csrfmiddlewaretoken");
  if (token && field) field.value = token;
}
