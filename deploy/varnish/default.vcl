vcl 4.1;
# Varnish 7 in front of the QA CMS (docs/production.md, "Caching"). Needs vmod xkey (Debian:
# varnish-modules). The app decides what may be cached (Cache-Control: public, s-maxage on
# anonymous public pages; private, no-store for staff) and tags pages with xkey headers;
# this file keeps cookies out of the cache and takes purges from the app.

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
    return (hash);
}

sub vcl_backend_response {
    # Cache only what the app says a shared cache may keep (s-maxage sets the TTL; Varnish
    # reads it from Cache-Control itself). Anything without Cache-Control: public is passed.
    if (beresp.http.Cache-Control !~ "public" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # stale-while-revalidate becomes grace: serve the stale page while fetching anew.
    if (beresp.http.Cache-Control ~ "stale-while-revalidate=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, ".*stale-while-revalidate=([0-9]+).*", "\1s"), 0s);
    }
    return (deliver);
}

sub vcl_deliver {
    if (obj.hits > 0) {
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
    set resp.http.Content-Type = "text/plain; charset=utf-8";
    set resp.body = resp.reason;
    return (deliver);
}
