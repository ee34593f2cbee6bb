# Varnish in front of the app servers: public pages and API answers cached at the edge and
# purged by key the moment a publish or withdrawal commits. Needs Debian's varnish and
# varnish-modules (vmod xkey). tests/deploy/test_varnish.py runs it in front of the site.
#
#   varnishd -f /etc/varnish/monographs.vcl -s malloc,256m \
#       -a :6081 -a purge=127.0.0.1:6091
#
# and on every app server CACHE_PURGE_URLS=http://<varnish>:6091/ (docs/deploy.md, Varnish).
# Every response names the keys it depends on in Surrogate-Key: the entries a page shows or
# links to (drug:sorafenib, trial:sharp), a term's page its term (term:hypertension), or a
# bounded group for pages built from many (drugs, trials, search, list). The app sends
# `PURGE /` with `xkey-purge: <keys>` after each publish (several, each header under 4 kB,
# when it names many); only the purge listener, from the addresses in acl purgers, may.
#
# Adapt: the backend (one per app server, with a director, or nginx's upstream), the
# purgers' addresses (the app servers), and the admin path if ADMIN_URL is not admin/.

vcl 4.1;

import xkey;

backend app {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

# Who may purge: the app servers. A purge is honoured only on the listener named "purge",
# so a PURGE arriving through nginx (whose address may be here too) is refused.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (local.socket != "purge" || client.ip !~ purgers) {
            return (synth(403, "Purging is not allowed from here"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Name the keys to purge in xkey-purge"));
        }
        set req.http.purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.purged));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Signed-in staff and API clients with credentials always reach the app: they see their
    # publish at once, and nothing personal is stored for others (as in the app's own cache).
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    if (req.url ~ "^/admin/") {
        return (pass);
    }
    # No public page reads a cookie: any other (a CSRF token, analytics) would only split
    # the cache.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Only answers the same for every reader, as the app's own cache (monographs/publishing/cache.py);
    # Surrogate-Control: no-store marks a render that overlapped a publish.
    if (beresp.status != 200 && beresp.status != 410
            || beresp.http.Set-Cookie
            || beresp.http.Vary ~ "(?i)cookie"
            || beresp.http.Cache-Control ~ "(?i)private|no-store"
            || beresp.http.Surrogate-Control ~ "(?i)no-store"
            || !beresp.http.Surrogate-Key) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # Browsers get Cache-Control: no-cache from the app and revalidate; here the object is
    # kept until a purge names one of its keys, and two minutes at most: a purge lost (this
    # proxy unreachable while a publish commits) costs at most that long of the old page.
    # "site" is on every object: the app purges it after an upgrade or a rebuild.
    set beresp.http.xkey = beresp.http.Surrogate-Key + " site";
    set beresp.ttl = 120s;
    set beresp.grace = 0s;
    unset beresp.http.Surrogate-Control;
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Proxy-Cache = "hit";
    } else {
        set resp.http.X-Proxy-Cache = "miss";
    }
}
