using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Json;
using Labyrinth.Core.Messaging;
using Labyrinth.Core.Plugins;
using Labyrinth.Core.Versioning;
using Semver;
using Labyrinth.Core.Text;

namespace Labyrinth.Core.Manifests;

/// <summary>
/// Validates a manifest document and reports every problem at once, each with a JSON pointer,
/// so an author fixes a whole manifest in one round instead of one error per upload.
/// </summary>
public static partial class ManifestValidator
{
    public static readonly SemVersion HostApiVersion = new(1, 0, 0);
    public const int MaxManifestBytes = 256 * 1024;
    public const int MaxDepth = 64;

    /// <summary>
    /// A manifest of many mistakes (thousands of unknown keys) gets the first ones and a count,
    /// so a refusal stays a page, not a copy of the upload.
    /// </summary>
    public const int MaxProblems = 100;

    private static readonly HashSet<string> RootKeys = new(StringComparer.Ordinal)
    {
        "id", "name", "version", "minHostAPIVersion", "author", "description", "license",
        "dependencies", "themes", "cards", "pages", "services", "api", "configSchema", "priority", "enabledByDefault",
    };

    private static readonly HashSet<string> CardKeys = new(StringComparer.Ordinal)
    {
        "typeID", "name", "icon", "runtime", "settings", "defaultSizePt", "minSizePt", "capabilities", "propsSchema", "topics",
    };

    private static readonly HashSet<string> RuntimeKeys = new(StringComparer.Ordinal) { "kind", "entry", "source" };
    private static readonly HashSet<string> SizeKeys = new(StringComparer.Ordinal) { "width", "height" };

    [GeneratedRegex("^[a-z][a-z0-9-]*(\\.[a-z0-9][a-z0-9-]*)+\\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ReverseDnsId();

    /// <summary>True for an id the manifest rule accepts: reverse-DNS, lower case, like <c>com.example.dice</c>.</summary>
    public static bool IsPluginId(string id) => id.Length <= 200 && ReverseDnsId().IsMatch(id);

    [GeneratedRegex("^[a-z][a-z0-9-]{0,63}\\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex TypeIdPattern();

    [GeneratedRegex("^(network:[a-z0-9][a-z0-9-]{0,63}|fileRegistry:(image|pdf|3d-model|text)|crossCard:pubsub|storage:(read|write|workspace-write)|api:[a-z][a-z0-9-]*(\\.[a-z0-9][a-z0-9-]*)+)\\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex CapabilityPattern();

    /// <summary>Validates <paramref name="json"/>; <paramref name="packageFiles"/> (when given) must contain every entry.</summary>
    public static ManifestValidationResult Validate(ReadOnlySpan<byte> json, IReadOnlySet<string>? packageFiles = null)
    {
        var problems = new List<PointerProblem>();
        if (json.Length > MaxManifestBytes)
        {
            problems.Add(new("", string.Create(CultureInfo.InvariantCulture, $"The manifest is {json.Length} bytes; the limit is {MaxManifestBytes} bytes.")));
            return new(null, problems);
        }

        var doc = StrictJson.Parse(json.ToArray(), "manifest", MaxDepth, problems);
        if (doc is null)
        {
            return new(null, PointerProblems.Capped(problems, MaxProblems));
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new("", "The manifest must be a JSON object."));
                return new(null, problems);
            }

            RejectUnknownKeys(root, "", RootKeys, problems);
            var id = RequiredString(root, "", "id", problems, 200);
            if (id is not null && !ReverseDnsId().IsMatch(id))
            {
                problems.Add(new("/id", "The id must be reverse-DNS, lower case, like \"com.example.my-plugin\"."));
            }

            var name = RequiredString(root, "", "name", problems, 100);
            var version = RequiredString(root, "", "version", problems, 100);
            if (version is not null && VersionRules.Parse(version, out var versionProblem) is null)
            {
                problems.Add(new("/version", versionProblem!));
            }

            var minHost = RequiredString(root, "", "minHostAPIVersion", problems, 100);
            if (minHost is not null)
            {
                if (VersionRules.Parse(minHost, out var minHostProblem) is not { } minHostVersion)
                {
                    problems.Add(new("/minHostAPIVersion", minHostProblem!));
                }
                else if (minHostVersion.ComparePrecedenceTo(HostApiVersion) > 0)
                {
                    problems.Add(new("/minHostAPIVersion", $"The plugin needs host API {minHost}; this host provides {HostApiVersion}."));
                }
            }

            var author = OptionalString(root, "", "author", problems, 200) ?? "";
            var description = OptionalString(root, "", "description", problems, 2000) ?? "";
            var license = OptionalString(root, "", "license", problems, 100) ?? "";

            var dependencies = ReadDependencies(root, id, problems);
            var themes = ReadThemes(root, packageFiles, problems);
            var servicesBefore = problems.Count;
            var services = ReadServices(root, packageFiles, problems);
            var api = ReadApi(root, services, servicesValid: problems.Count == servicesBefore, problems);
            var pages = ReadPages(root, packageFiles, problems);
            var config = root.TryGetProperty("configSchema", out var configEl) ? ConfigSchemaRules.Read(configEl, problems) : null;

            var cards = new List<CardDefinition>();
            if (!root.TryGetProperty("cards", out var cardsEl))
            {
                // A plugin may ship only themes, pages or services; with none of them, it does nothing.
                if (!root.TryGetProperty("themes", out _) && !root.TryGetProperty("pages", out _) && !root.TryGetProperty("services", out _))
                {
                    problems.Add(new("/cards", "The manifest declares no cards, themes, pages or services, so the plugin would do nothing."));
                }
            }
            else if (cardsEl.ValueKind != JsonValueKind.Array)
            {
                problems.Add(new("/cards", "\"cards\" must be an array."));
            }
            else
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var index = 0;
                foreach (var cardEl in cardsEl.EnumerateArray())
                {
                    var card = ValidateCard(cardEl, JsonPointer.Append("/cards", index), packageFiles, problems);
                    if (card is not null)
                    {
                        if (!seen.Add(card.TypeId))
                        {
                            problems.Add(new(JsonPointer.Append(JsonPointer.Append("/cards", index), "typeID"), $"The card type \"{card.TypeId}\" is declared twice."));
                        }

                        cards.Add(card);
                    }

                    index++;
                }
            }

            CheckGuardedEntries(pages, cards, services, problems);
            if (problems.Count > 0 || id is null || name is null || version is null || minHost is null)
            {
                return new(null, PointerProblems.Capped(problems, MaxProblems));
            }

            return new(new PluginManifest(id, name, version, minHost, author, description, license, cards)
            {
                Dependencies = dependencies, Themes = themes, Services = services, Api = api, Config = config, Pages = pages,
            }, problems);
        }
    }

    /// <summary><c>dependencies</c>: an object of reverse-DNS plugin id → npm-style range (the Semver package's npm parser).</summary>
    private static Dictionary<string, string> ReadDependencies(JsonElement root, string? selfId, List<PointerProblem> problems)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!root.TryGetProperty("dependencies", out var deps))
        {
            return result;
        }

        if (deps.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new("/dependencies", "\"dependencies\" must be an object like {\"com.example.base\": \"^1.2.0\"}."));
            return result;
        }

        foreach (var dep in deps.EnumerateObject())
        {
            var pointer = JsonPointer.Append("/dependencies", dep.Name);
            if (!ReverseDnsId().IsMatch(dep.Name) || dep.Name.Length > 200)
            {
                problems.Add(new(pointer, $"{StrictJson.Quote(dep.Name)} is not a plugin id; dependency keys are reverse-DNS ids like \"com.example.base\"."));
                continue;
            }

            if (dep.Name == selfId)
            {
                problems.Add(new(pointer, "A plugin cannot depend on itself."));
                continue;
            }

            if (dep.Value.ValueKind != JsonValueKind.String || dep.Value.GetString() is not { } range)
            {
                problems.Add(new(pointer, "A dependency's value must be a version range string like \"^1.2.0\"."));
                continue;
            }

            if (range.Length > 200 || !SemVersionRange.TryParseNpm(range, out _))
            {
                problems.Add(new(pointer, $"{StrictJson.Quote(range)} is not an npm-style version range like \"^1.2.0\" or \">=1.0.0 <2.0.0\"."));
                continue;
            }

            if (VersionRules.CheckRangeNumbers(range) is { } rangeProblem)
            {
                problems.Add(new(pointer, rangeProblem));
                continue;
            }

            result[dep.Name] = range;
        }

        return result;
    }

    private static CardDefinition? ValidateCard(JsonElement el, string pointer, IReadOnlySet<string>? files, List<PointerProblem> problems)
    {
        if (el.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(pointer, "Each card must be an object."));
            return null;
        }

        var before = problems.Count;
        RejectUnknownKeys(el, pointer, CardKeys, problems);
        var typeId = RequiredString(el, pointer, "typeID", problems, 64);
        if (typeId is not null && !TypeIdPattern().IsMatch(typeId))
        {
            problems.Add(new(JsonPointer.Append(pointer, "typeID"), "A card typeID is lower case letters, digits and dashes, starting with a letter (at most 64)."));
        }

        var name = RequiredString(el, pointer, "name", problems, 100);
        var icon = OptionalString(el, pointer, "icon", problems, 16) ?? "";

        string? entry = null;
        var runtimePointer = JsonPointer.Append(pointer, "runtime");
        if (!el.TryGetProperty("runtime", out var runtime) || runtime.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(runtimePointer, "Each card needs a \"runtime\" object like {\"kind\": \"web\", \"entry\": \"cards/x.js\"}."));
        }
        else
        {
            RejectUnknownKeys(runtime, runtimePointer, RuntimeKeys, problems);
            var kind = RequiredString(runtime, runtimePointer, "kind", problems, 16);
            if (kind is not null && kind != "web")
            {
                problems.Add(new(JsonPointer.Append(runtimePointer, "kind"), $"The runtime kind {StrictJson.Quote(kind)} is not supported; use \"web\"."));
            }

            entry = RequiredString(runtime, runtimePointer, "entry", problems, 512);
            var entryPointer = JsonPointer.Append(runtimePointer, "entry");
            if (entry is not null)
            {
                var pathError = PluginPath.Check(entry);
                if (pathError is not null)
                {
                    problems.Add(new(entryPointer, pathError));
                }
                else if (!entry.EndsWith(".js", StringComparison.Ordinal) && !entry.EndsWith(".mjs", StringComparison.Ordinal) && !entry.EndsWith(".html", StringComparison.Ordinal))
                {
                    problems.Add(new(entryPointer, "A card entry must be a .js, .mjs or .html file."));
                }
                else if (files is not null && !files.Contains(entry))
                {
                    problems.Add(new(entryPointer, $"The entry \"{entry}\" is not in the package."));
                }
            }

            OptionalString(runtime, runtimePointer, "source", problems, 512);
        }

        var defaultSize = ReadSize(el, pointer, "defaultSizePt", problems, required: true);
        var minSize = ReadSize(el, pointer, "minSizePt", problems, required: false);

        var capabilities = ReadCapabilities(el, pointer, CapabilityPattern(),
            "is not a capability this host knows. Allowed: network:<service>, fileRegistry:<image|pdf|3d-model|text>, crossCard:pubsub, storage:read, storage:write, storage:workspace-write, api:<pluginId>.",
            problems);

        JsonElement? propsSchema = null;
        // An explicit null means "no schema", the same as leaving the key out.
        if (el.TryGetProperty("propsSchema", out var schemaEl) && schemaEl.ValueKind != JsonValueKind.Null)
        {
            var schemaPointer = JsonPointer.Append(pointer, "propsSchema");
            var schemaError = PropsValidator.CheckSchema(schemaEl);
            if (schemaError is not null)
            {
                problems.Add(new(schemaPointer, schemaError));
            }
            else
            {
                propsSchema = schemaEl.Clone();
            }
        }

        var topics = ReadTopics(el, pointer, problems);

        if (problems.Count > before || typeId is null || name is null || entry is null || defaultSize is null)
        {
            return null;
        }

        return new CardDefinition(typeId, name, icon, entry, defaultSize, minSize, capabilities, propsSchema) { Topics = topics };
    }

    private static readonly HashSet<string> TopicKeys = new(StringComparer.Ordinal) { "publish", "subscribe" };

    /// <summary><c>topics: { publish?: string[], subscribe?: string[] }</c>; only subscribe entries may use <c>*</c> segments.</summary>
    private static CardTopics ReadTopics(JsonElement card, string cardPointer, List<PointerProblem> problems)
    {
        if (!card.TryGetProperty("topics", out var topics))
        {
            return CardTopics.None;
        }

        var pointer = JsonPointer.Append(cardPointer, "topics");
        if (topics.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(pointer, "\"topics\" must be an object like {\"publish\": [\"math:expression:changed\"], \"subscribe\": [\"math:*:changed\"]}."));
            return CardTopics.None;
        }

        RejectUnknownKeys(topics, pointer, TopicKeys, problems);
        var publish = ReadTopicList(topics, pointer, "publish", allowWildcard: false, problems);
        var subscribe = ReadTopicList(topics, pointer, "subscribe", allowWildcard: true, problems);
        return new CardTopics(publish, subscribe);
    }

    private static List<string> ReadTopicList(JsonElement topics, string topicsPointer, string key, bool allowWildcard, List<PointerProblem> problems)
    {
        var result = new List<string>();
        if (!topics.TryGetProperty(key, out var list))
        {
            return result;
        }

        var pointer = JsonPointer.Append(topicsPointer, key);
        if (list.ValueKind != JsonValueKind.Array)
        {
            problems.Add(new(pointer, $"\"{key}\" must be an array of topic strings."));
            return result;
        }

        if (list.GetArrayLength() > TopicRules.MaxTopicsPerList)
        {
            problems.Add(new(pointer, string.Create(CultureInfo.InvariantCulture, $"A card declares at most {TopicRules.MaxTopicsPerList} {key} topics.")));
            return result;
        }

        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var itemPointer = JsonPointer.Append(pointer, i++);
            if (item.ValueKind != JsonValueKind.String)
            {
                problems.Add(new(itemPointer, "A topic must be a string."));
                continue;
            }

            var topic = item.GetString()!;
            if (TopicRules.Explain(topic, allowWildcard) is { } error)
            {
                problems.Add(new(itemPointer, error));
            }
            else if (result.Contains(topic, StringComparer.Ordinal))
            {
                problems.Add(new(itemPointer, $"The topic \"{topic}\" is listed twice."));
            }
            else
            {
                result.Add(topic);
            }
        }

        return result;
    }

    private static SizePt? ReadSize(JsonElement el, string pointer, string key, List<PointerProblem> problems, bool required)
    {
        var p = JsonPointer.Append(pointer, key);
        if (!el.TryGetProperty(key, out var size))
        {
            if (required)
            {
                problems.Add(new(p, $"\"{key}\" is required, like {{\"width\": 320, \"height\": 240}}."));
            }

            return null;
        }

        if (size.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(p, $"\"{key}\" must be an object with width and height."));
            return null;
        }

        RejectUnknownKeys(size, p, SizeKeys, problems);
        double? w = ReadDimension(size, p, "width", problems);
        double? h = ReadDimension(size, p, "height", problems);
        return w is null || h is null ? null : new SizePt(w.Value, h.Value);
    }

    private static double? ReadDimension(JsonElement el, string pointer, string key, List<PointerProblem> problems)
    {
        var p = JsonPointer.Append(pointer, key);
        if (!el.TryGetProperty(key, out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out var d))
        {
            problems.Add(new(p, $"\"{key}\" must be a number."));
            return null;
        }

        if (d is < 40 or > 4000)
        {
            problems.Add(new(p, $"\"{key}\" must be between 40 and 4000 points."));
            return null;
        }

        return d;
    }

    private static void RejectUnknownKeys(JsonElement el, string pointer, HashSet<string> allowed, List<PointerProblem> problems)
    {
        foreach (var prop in el.EnumerateObject())
        {
            if (!allowed.Contains(prop.Name))
            {
                problems.Add(new(JsonPointer.Append(pointer, prop.Name), $"Unknown key {StrictJson.Quote(prop.Name)}."));
            }
        }
    }

    private static string? RequiredString(JsonElement el, string pointer, string key, List<PointerProblem> problems, int maxLength)
    {
        if (!el.TryGetProperty(key, out var v))
        {
            problems.Add(new(JsonPointer.Append(pointer, key), $"\"{key}\" is required."));
            return null;
        }

        return StringValue(v, JsonPointer.Append(pointer, key), key, problems, maxLength, allowEmpty: false);
    }

    private static string? OptionalString(JsonElement el, string pointer, string key, List<PointerProblem> problems, int maxLength) =>
        el.TryGetProperty(key, out var v) ? StringValue(v, JsonPointer.Append(pointer, key), key, problems, maxLength, allowEmpty: true) : null;

    private static string? StringValue(JsonElement v, string pointer, string key, List<PointerProblem> problems, int maxLength, bool allowEmpty)
    {
        if (v.ValueKind != JsonValueKind.String)
        {
            problems.Add(new(pointer, $"\"{key}\" must be a string."));
            return null;
        }

        var s = v.GetString()!;
        if (!allowEmpty && string.IsNullOrWhiteSpace(s))
        {
            problems.Add(new(pointer, $"\"{key}\" must not be empty."));
            return null;
        }

        if (s.Length > maxLength)
        {
            problems.Add(new(pointer, string.Create(CultureInfo.InvariantCulture, $"\"{key}\" is longer than {maxLength} characters.")));
            return null;
        }

        // The host shows these strings in its own UI (the spawn menu, consent prompts, the admin
        // page): a control or bidi-override character there would make them read as something else.
        if (DisplayText.Refusal(key, s) is { } refusal)
        {
            problems.Add(new(pointer, refusal));
            return null;
        }

        return s;
    }
}

public sealed record ManifestValidationResult(PluginManifest? Manifest, IReadOnlyList<PointerProblem> Problems)
{
    public bool IsValid => Manifest is not null && Problems.Count == 0;
}
