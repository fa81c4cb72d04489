using System.Net;
using System.Text;

namespace Labyrinth.Host.Features.Plugins;

/// <summary>The card frame document and the security policy every plugin surface is served with.</summary>
internal static class FrameDocument
{
    public const string BootstrapPath = "/_frame/bootstrap.js";

    // A classic (not module) script, first in <head>: it runs before any plugin script can,
    // so WebRTC is gone before plugin code exists.
    private static readonly byte[] BootstrapTag = Encoding.UTF8.GetBytes($"<script src=\"{BootstrapPath}\"></script>");

    /// <summary>
    /// The CSP for a card frame and for plugin HTML/SVG, answered on the plugin version's card
    /// origin. `sandbox allow-scripts` makes even a directly opened plugin file run in an opaque
    /// origin; `frame-ancestors` lets only the host page embed it. (No `webrtc` directive: Chromium
    /// does not implement it and logs an error per frame; the bootstrap removes WebRTC instead.)
    /// <paramref name="reportUri"/>, for a viewer who may open the developer overlay, is where the
    /// browser posts violations (see <see cref="CspReportsApi"/>). Only `report-uri`: with
    /// `report-to` Chromium ignores report-uri and batches reports for up to a minute, too late for
    /// an overlay a person is watching while they click.
    /// </summary>
    /// <param name="filesPath">The plugin version's files on that origin for this person (<c>/cap/{token}/plugins/{id}/{version}/</c>).</param>
    public static string CardCsp(string cardOrigin, string frameAncestors, string filesPath, string? reportUri = null)
    {
        var files = cardOrigin + filesPath;
        var report = reportUri is null ? "" : $"; report-uri {reportUri}";
        return $"default-src 'none'; script-src {files} {cardOrigin}/_frame/; style-src {files} 'unsafe-inline'; " +
               $"img-src {files} blob: data:; font-src {files}; media-src {files} blob: data:; connect-src 'none'; frame-src 'none'; " +
               $"worker-src 'none'; manifest-src 'none'; form-action 'none'; base-uri 'none'; frame-ancestors {frameAncestors}; " +
               "sandbox allow-scripts" + report;
    }

    /// <param name="bootstrapUrl">The bootstrap's versioned URL (<see cref="FrameBootstrapFile.Url"/>), so a cold frame loads it from cache.</param>
    public static string Render(string entryUrl, string title, string bootstrapUrl = BootstrapPath)
    {
        var entry = WebUtility.HtmlEncode(entryUrl);
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">" +
               $"<meta name=\"labyrinth-entry\" content=\"{entry}\">" +
               // The preload goes first so the bundle downloads while the blocking bootstrap does.
               $"<link rel=\"modulepreload\" href=\"{entry}\">" +
               $"<script src=\"{WebUtility.HtmlEncode(bootstrapUrl)}\"></script>" +
               $"<title>{WebUtility.HtmlEncode(title)}</title>" +
               "<style>html,body{margin:0;height:100%;background:var(--lab-panel,transparent);color:var(--lab-text,inherit);font-family:system-ui,sans-serif}#root{height:100%}</style>" +
               "</head><body><div id=\"root\"></div></body></html>";
    }

    /// <summary>Inserts the bootstrap right after &lt;head&gt; (or at the very start when there is no head).</summary>
    public static byte[] InjectBootstrap(byte[] html)
    {
        var text = Encoding.UTF8.GetString(html);
        var head = text.IndexOf("<head", StringComparison.OrdinalIgnoreCase);
        var insertAt = 0;
        if (head >= 0)
        {
            var close = text.IndexOf('>', head);
            insertAt = close >= 0 ? close + 1 : 0;
        }

        var tag = Encoding.UTF8.GetString(BootstrapTag);
        return Encoding.UTF8.GetBytes(text.Insert(insertAt, tag));
    }
}
