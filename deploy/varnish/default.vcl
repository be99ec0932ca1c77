vcl 4.1;
# Varnish 7 in front of the QA CMS (docs/production.md, "Caching"). Needs vmod xkey (Debian:
# varnish-modules). The app decides what may be cached (Cache-Control: public, s-maxage on
# anonymous public pages; private, no-store for staff) and tags pages with xkey headers;
# this file keeps cookies out of the cache and takes purges from the app.
#
# When the app fails (stopped, or answering 5xx because its database is down), a page Varnish
# still holds is served stale for as long as the app's stale-if-error allows (grace); a page
# it never had gets a plain "try again in a minute" 503 (docs/degraded-service.md).

import std;
import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may purge: the app's task worker. Add its addresses when it runs on another host.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.restarts == 0) {
        # Set only by this file, on a restart: never from a client.
        unset req.http.X-Stale-Copy;
    }
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (req.http.xkey-purge) {
            # Hard purge: a withdrawn page must never be served again, not even stale.
            set req.http.n-gone = xkey.purge(req.http.xkey-purge);
            return (synth(200, "Purged " + req.http.n-gone + " objects"));
        }
        return (purge);
    }
    if (req.method != "GET" && req.method != "HEAD") {
        # The feedback form, the admin's posts: always the app's.
        return (pass);
    }
    if (req.url ~ "^/admin/" || req.url ~ "^/healthz") {
        return (pass);
    }
    # Signed-in staff (session) and a reader just thanked for feedback (messages) see
    # fresh pages; the app marks those responses private, no-store.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Anyone else is anonymous: no cookie reaches the app, so nothing is set per reader.
    unset req.http.Cookie;
    # Tracking tags change nothing on a page: one cached copy, however the link was shared.
    # (The app keys its own cache by the parameters each page reads; it ignores the rest.)
    if (req.url ~ "[?&](utm_[a-z]+|fbclid|gclid|msclkid|mc_cid|mc_eid)=") {
        set req.url = regsuball(req.url, "(?<=[?&])(utm_[a-z]+|fbclid|gclid|msclkid|mc_cid|mc_eid)=[^&]*(&|$)", "");
        set req.url = regsub(req.url, "[?&]$", "");
    }
    if (req.http.X-Stale-Copy == "refresh") {
        # A stale copy is held, past what stale-while-revalidate allows: fetch anew.
        set req.hash_always_miss = true;
    } else {
        # (It would outlive a restart.)
        set req.hash_always_miss = false;
    }
    return (hash);
}

sub vcl_hit {
    # Past its TTL and past its stale-while-revalidate: ask the app first (restart and fetch);
    # this copy is served only if the app fails (vcl_deliver restarts again).
    if (obj.ttl <= 0s && req.restarts == 0 &&
        obj.ttl + std.duration(regsub(obj.http.Cache-Control,
            "^.*stale-while-revalidate=([0-9]+).*$", "\1s"), 0s) <= 0s) {
        set req.http.X-Stale-Copy = "refresh";
        return (restart);
    }
}

sub vcl_backend_response {
    if (beresp.status >= 500) {
        if (bereq.is_bgfetch || bereq.http.X-Stale-Copy == "refresh") {
            # A stale copy is held: abandon this answer, so that nothing replaces the copy,
            # and serve it (vcl_synth restarts for that).
            return (abandon);
        }
        # Not cached, and not remembered as uncacheable: the next reader tries afresh.
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # Cache only what the app says a shared cache may keep (s-maxage sets the TTL; Varnish
    # reads it from Cache-Control itself). Anything without Cache-Control: public is passed.
    if (beresp.http.Cache-Control !~ "public" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # Grace is how long past its TTL Varnish keeps a page to serve stale: while fetching
    # anew (stale-while-revalidate, at most; see vcl_hit), or while the app fails
    # (stale-if-error). The longer of the two; none when the app sent neither.
    set beresp.grace = std.duration(
        regsub(beresp.http.Cache-Control, "^.*stale-while-revalidate=([0-9]+).*$", "\1s"), 0s);
    if (std.duration(regsub(beresp.http.Cache-Control,
            "^.*stale-if-error=([0-9]+).*$", "\1s"), 0s) > beresp.grace) {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"), 0s);
    }
    return (deliver);
}

sub vcl_backend_error {
    if (bereq.is_bgfetch || bereq.http.X-Stale-Copy == "refresh") {
        return (abandon);
    }
    # The app could not be reached: the same plain page it sends when its database is down.
    set beresp.http.Content-Type = "text/html; charset=utf-8";
    set beresp.http.Retry-After = "60";
    set beresp.http.Cache-Control = "no-store";
    set beresp.ttl = 0s;
    set beresp.grace = 0s;
    set beresp.uncacheable = true;
    set beresp.body = {"<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Please try again in a minute</title><meta name="robots" content="noindex"></head>
<body><main><h1>Please try again in a minute</h1>
<p>Sorry: this page cannot be shown just now, because part of our service is briefly
unavailable. Please try again in a minute.</p></main></body>
</html>
"};
    return (deliver);
}

sub vcl_deliver {
    if (req.http.X-Stale-Copy == "serve" && obj.hits > 0) {
        set resp.http.X-Cache = "STALE";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # Keys and the app's own cache report are for caches, not readers. Browsers keep the
    # page max-age seconds; s-maxage is Varnish's alone but harmless to pass on.
    unset resp.http.xkey;
    unset resp.http.X-Page-Cache;
    unset resp.http.Via;
    unset resp.http.X-Varnish;
}

sub vcl_synth {
    if (resp.status == 503 && req.http.X-Stale-Copy == "refresh") {
        # The app failed on the fetch vcl_hit asked for: serve the stale copy after all.
        set req.http.X-Stale-Copy = "serve";
        return (restart);
    }
    set resp.http.Content-Type = "text/plain; charset=utf-8";
    set resp.body = resp.reason;
    return (deliver);
}
