using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Json;
using Labyrinth.Core.Plugins;

namespace Labyrinth.Core.Manifests;

/// <summary>
/// <c>pages[]</c>: whole pages the host mounts at <c>/apps/{pluginId}/{path}</c> in its own
/// chrome, each in the card runtime, with a navigation entry and a declarative guard.
/// </summary>
public static partial class ManifestValidator
{
    public const int MaxPages = 32;
    public const int MaxPagePathLength = 200;
    public const int MaxNavOrder = 1000;

    private static readonly HashSet<string> PageKeys = new(StringComparer.Ordinal) { "path", "title", "icon", "entry", "source", "nav", "requires", "topics" };
    private static readonly HashSet<string> NavKeys = new(StringComparer.Ordinal) { "section", "order" };
    private static readonly HashSet<string> RequiresKeys = new(StringComparer.Ordinal) { "role", "capabilities" };

    // Lower-case segments of letters, digits and dashes; "" is the plugin's home page.
    [GeneratedRegex("^([a-z0-9][a-z0-9-]{0,63}(/[a-z0-9][a-z0-9-]{0,63}){0,7})?\\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex PagePathPattern();

    private static List<PageDefinition> ReadPages(JsonElement root, IReadOnlySet<string>? files, List<PointerProblem> problems)
    {
        var result = new List<PageDefinition>();
        if (!root.TryGetProperty("pages", out var pages))
        {
            return result;
        }

        if (pages.ValueKind != JsonValueKind.Array)
        {
            problems.Add(new("/pages", "\"pages\" must be an array like [{\"path\": \"overview\", \"title\": \"Overview\", \"entry\": \"pages/overview.js\"}]."));
            return result;
        }

        if (pages.GetArrayLength() > MaxPages)
        {
            problems.Add(new("/pages", string.Create(CultureInfo.InvariantCulture, $"A plugin has at most {MaxPages} pages.")));
            return result;
        }

        var paths = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var el in pages.EnumerateArray())
        {
            var pointer = JsonPointer.Append("/pages", index++);
            if (ReadPage(el, pointer, files, problems) is not { } page)
            {
                continue;
            }

            if (!paths.Add(page.Path))
            {
                problems.Add(new(JsonPointer.Append(pointer, "path"), page.Path.Length == 0
                    ? "Two pages use the home path \"\"; paths are unique within the plugin."
                    : $"The page path \"{page.Path}\" is declared twice; paths are unique within the plugin."));
                continue;
            }

            result.Add(page);
        }

        return result;
    }

    private static PageDefinition? ReadPage(JsonElement el, string pointer, IReadOnlySet<string>? files, List<PointerProblem> problems)
    {
        if (el.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(pointer, "Each page must be an object like {\"path\": \"overview\", \"title\": \"Overview\", \"entry\": \"pages/overview.js\"}."));
            return null;
        }

        var before = problems.Count;
        RejectUnknownKeys(el, pointer, PageKeys, problems);

        var pathPointer = JsonPointer.Append(pointer, "path");
        string? path = null;
        if (!el.TryGetProperty("path", out var pathEl))
        {
            problems.Add(new(pathPointer, "\"path\" is required: the page's address under /apps/{pluginId}/, like \"overview\" (\"\" for the plugin's home page)."));
        }
        else if (pathEl.ValueKind != JsonValueKind.String)
        {
            problems.Add(new(pathPointer, "\"path\" must be a string."));
        }
        else if (CheckPagePath(pathEl.GetString()!) is { } pathError)
        {
            problems.Add(new(pathPointer, pathError));
        }
        else
        {
            path = pathEl.GetString()!;
        }

        var title = RequiredString(el, pointer, "title", problems, 100);
        var icon = OptionalString(el, pointer, "icon", problems, 16) ?? "";
        var entry = RequiredString(el, pointer, "entry", problems, 512);
        if (entry is not null)
        {
            var entryPointer = JsonPointer.Append(pointer, "entry");
            if (PluginPath.Check(entry) is { } entryError)
            {
                problems.Add(new(entryPointer, entryError));
            }
            else if (!entry.EndsWith(".js", StringComparison.Ordinal) && !entry.EndsWith(".mjs", StringComparison.Ordinal) && !entry.EndsWith(".html", StringComparison.Ordinal))
            {
                problems.Add(new(entryPointer, "A page entry must be a .js, .mjs or .html file, as for cards."));
            }
            else if (files is not null && !files.Contains(entry))
            {
                problems.Add(new(entryPointer, $"The entry \"{entry}\" is not in the package."));
            }
        }

        OptionalString(el, pointer, "source", problems, 512);
        var nav = ReadNav(el, pointer, problems);
        var (role, capabilities) = ReadRequires(el, pointer, problems);
        var topics = ReadTopics(el, pointer, problems);

        if (problems.Count > before || path is null || title is null || entry is null)
        {
            return null;
        }

        return new PageDefinition(path, title, icon, entry, nav, role, capabilities) { Topics = topics };
    }

    /// <summary>Null when <paramref name="path"/> is a page path (lower-case segments, no dot segments), else why not.</summary>
    public static string? CheckPagePath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length > MaxPagePathLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"A page path is at most {MaxPagePathLength} characters.");
        }

        if (path.Split('/').Any(s => s is "." or ".."))
        {
            return "A page path must not contain \".\" or \"..\" segments.";
        }

        if (path.StartsWith('/') || path.EndsWith('/'))
        {
            return "A page path has no leading or trailing \"/\": write \"reports/monthly\", not \"/reports/monthly/\".";
        }

        if (path.Contains("//", StringComparison.Ordinal))
        {
            return "A page path has no empty segments (\"//\").";
        }

        if (path.Any(char.IsUpper))
        {
            return "A page path is lower case.";
        }

        return PagePathPattern().IsMatch(path)
            ? null
            : "A page path is up to 8 segments of lower-case letters, digits and dashes (each at most 64, not starting with a dash), separated by \"/\".";
    }

    private static PageNav? ReadNav(JsonElement page, string pagePointer, List<PointerProblem> problems)
    {
        // No key or null: the page is reachable by its address (and navigate) but has no navigation entry.
        if (!page.TryGetProperty("nav", out var nav) || nav.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var pointer = JsonPointer.Append(pagePointer, "nav");
        if (nav.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(pointer, "\"nav\" must be null or an object like {\"section\": \"Apps\", \"order\": 10}."));
            return null;
        }

        RejectUnknownKeys(nav, pointer, NavKeys, problems);
        var section = RequiredString(nav, pointer, "section", problems, 40);
        int? order = 0;
        if (nav.TryGetProperty("order", out var orderEl))
        {
            if (orderEl.ValueKind != JsonValueKind.Number || !orderEl.TryGetInt32(out var o) || o is < -MaxNavOrder or > MaxNavOrder)
            {
                problems.Add(new(JsonPointer.Append(pointer, "order"), string.Create(CultureInfo.InvariantCulture, $"\"order\" must be an integer from {-MaxNavOrder} to {MaxNavOrder}.")));
                order = null;
            }
            else
            {
                order = o;
            }
        }

        return section is null || order is null ? null : new PageNav(section, order.Value);
    }

    private static (PageRole Role, List<string> Capabilities) ReadRequires(JsonElement page, string pagePointer, List<PointerProblem> problems)
    {
        var capabilities = new List<string>();
        if (!page.TryGetProperty("requires", out var requires))
        {
            return (PageRole.Member, capabilities);
        }

        var pointer = JsonPointer.Append(pagePointer, "requires");
        if (requires.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(pointer, "\"requires\" must be an object like {\"role\": \"admin\", \"capabilities\": [\"crossCard:pubsub\"]}."));
            return (PageRole.Member, capabilities);
        }

        RejectUnknownKeys(requires, pointer, RequiresKeys, problems);
        var role = PageRole.Member;
        if (requires.TryGetProperty("role", out var roleEl))
        {
            switch (roleEl.ValueKind == JsonValueKind.String ? roleEl.GetString() : null)
            {
                case "member":
                    break;
                case "admin":
                    role = PageRole.Admin;
                    break;
                default:
                    problems.Add(new(JsonPointer.Append(pointer, "role"), "\"role\" must be \"admin\" or \"member\"."));
                    break;
            }
        }

        // The same capabilities a service may hold, for the same reason: an admin grants them to the
        // plugin (no person's pick or consent is asked for on a page's behalf).
        capabilities = ReadServiceCapabilities(requires, pointer, problems);
        return (role, capabilities);
    }

    /// <summary>
    /// An admin-only page's entry is withheld from people who may not open the page, so it cannot
    /// also be the entry of something everyone loads (a card, a service or a member page).
    /// </summary>
    private static void CheckGuardedEntries(List<PageDefinition> pages, List<CardDefinition> cards, List<ServiceDefinition> services, List<PointerProblem> problems)
    {
        var open = new HashSet<string>(cards.Select(c => c.Entry).Concat(services.Select(s => s.Entry)).Concat(pages.Where(p => p.Role == PageRole.Member).Select(p => p.Entry)), StringComparer.Ordinal);
        for (var i = 0; i < pages.Count; i++)
        {
            if (pages[i].Role == PageRole.Admin && open.Contains(pages[i].Entry))
            {
                problems.Add(new(JsonPointer.Append(JsonPointer.Append("/pages", i), "entry"),
                    $"The admin-only page's entry \"{pages[i].Entry}\" is also the entry of a card, a service or a page everyone may open; give it a file of its own."));
            }
        }
    }
}
