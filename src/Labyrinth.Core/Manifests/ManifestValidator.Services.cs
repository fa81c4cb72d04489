using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Labyrinth.Core.Errors;
using Labyrinth.Core.Json;
using Labyrinth.Core.Messaging;
using Labyrinth.Core.Plugins;
using Labyrinth.Core.Versioning;

namespace Labyrinth.Core.Manifests;

/// <summary>
/// <c>services[]</c> (background modules) and <c>api</c> (methods other plugins call, with JSON
/// Schemas compiled here, at install) — the app-plugin half of the manifest.
/// </summary>
public static partial class ManifestValidator
{
    public const int MaxServices = 4;
    public const int MaxApiMethods = 64;
    public const int MaxApiExamples = 5;

    private static readonly HashSet<string> ServiceKeys = new(StringComparer.Ordinal) { "id", "entry", "source", "capabilities", "topics" };
    private static readonly HashSet<string> ApiKeys = new(StringComparer.Ordinal) { "version", "service", "methods" };
    private static readonly HashSet<string> MethodKeys = new(StringComparer.Ordinal) { "description", "input", "output", "examples" };
    private static readonly HashSet<string> ExampleKeys = new(StringComparer.Ordinal) { "title", "input", "output" };

    // camelCase words, optionally namespaced with dots ("widgets.list"); at most 64 characters in all.
    [GeneratedRegex("^[a-z][a-zA-Z0-9]{0,63}(\\.[a-z][a-zA-Z0-9]{0,63}){0,3}\\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex MethodNamePattern();

    [GeneratedRegex("^(crossCard:pubsub|storage:(read|write|workspace-write)|api:[a-z][a-z0-9-]*(\\.[a-z0-9][a-z0-9-]*)+)\\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex ServiceCapabilityPattern();

    private static List<ServiceDefinition> ReadServices(JsonElement root, IReadOnlySet<string>? files, List<PointerProblem> problems)
    {
        var result = new List<ServiceDefinition>();
        if (!root.TryGetProperty("services", out var services))
        {
            return result;
        }

        if (services.ValueKind != JsonValueKind.Array)
        {
            problems.Add(new("/services", "\"services\" must be an array like [{\"id\": \"main\", \"entry\": \"services/main.js\"}]."));
            return result;
        }

        if (services.GetArrayLength() > MaxServices)
        {
            problems.Add(new("/services", string.Create(CultureInfo.InvariantCulture, $"A plugin runs at most {MaxServices} services.")));
            return result;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var el in services.EnumerateArray())
        {
            var pointer = JsonPointer.Append("/services", index++);
            if (el.ValueKind != JsonValueKind.Object)
            {
                problems.Add(new(pointer, "Each service must be an object like {\"id\": \"main\", \"entry\": \"services/main.js\"}."));
                continue;
            }

            var before = problems.Count;
            RejectUnknownKeys(el, pointer, ServiceKeys, problems);
            var id = RequiredString(el, pointer, "id", problems, 64);
            if (id is not null && !TypeIdPattern().IsMatch(id))
            {
                problems.Add(new(JsonPointer.Append(pointer, "id"), "A service id is lower case letters, digits and dashes, starting with a letter (at most 64)."));
            }
            else if (id is not null && !ids.Add(id))
            {
                problems.Add(new(JsonPointer.Append(pointer, "id"), $"The service \"{id}\" is declared twice."));
            }

            var entry = RequiredString(el, pointer, "entry", problems, 512);
            var entryPointer = JsonPointer.Append(pointer, "entry");
            if (entry is not null)
            {
                if (PluginPath.Check(entry) is { } pathError)
                {
                    problems.Add(new(entryPointer, pathError));
                }
                else if (!entry.EndsWith(".js", StringComparison.Ordinal) && !entry.EndsWith(".mjs", StringComparison.Ordinal))
                {
                    // A service has no page to show: it is a module the frame bootstrap imports.
                    problems.Add(new(entryPointer, "A service entry must be a .js or .mjs module."));
                }
                else if (files is not null && !files.Contains(entry))
                {
                    problems.Add(new(entryPointer, $"The entry \"{entry}\" is not in the package."));
                }
            }

            OptionalString(el, pointer, "source", problems, 512);
            var capabilities = ReadServiceCapabilities(el, pointer, problems);
            var topics = ReadTopics(el, pointer, problems);
            if (problems.Count == before && id is not null && entry is not null)
            {
                result.Add(new ServiceDefinition(id, entry, capabilities, topics));
            }
        }

        return result;
    }

    private static List<string> ReadServiceCapabilities(JsonElement service, string pointer, List<PointerProblem> problems) =>
        // No person watches a service, so nothing it does may need a person's pick or consent.
        ReadCapabilities(service, pointer, ServiceCapabilityPattern(),
            "is not a capability a service may hold. Allowed: crossCard:pubsub, storage:read, storage:write, storage:workspace-write, api:<pluginId>.", problems);

    /// <summary>
    /// An element's optional <c>capabilities</c>: distinct strings each matching <paramref name="allowed"/>;
    /// every other entry is a problem at its own pointer (<paramref name="refusal"/> follows the quoted value).
    /// </summary>
    private static List<string> ReadCapabilities(JsonElement element, string pointer, Regex allowed, string refusal, List<PointerProblem> problems)
    {
        var result = new List<string>();
        if (!element.TryGetProperty("capabilities", out var caps))
        {
            return result;
        }

        var capsPointer = JsonPointer.Append(pointer, "capabilities");
        if (caps.ValueKind != JsonValueKind.Array)
        {
            problems.Add(new(capsPointer, "\"capabilities\" must be an array of strings."));
            return result;
        }

        var i = 0;
        foreach (var cap in caps.EnumerateArray())
        {
            var capPointer = JsonPointer.Append(capsPointer, i++);
            if (cap.ValueKind != JsonValueKind.String || cap.GetString() is not { } value)
            {
                problems.Add(new(capPointer, "A capability must be a string."));
            }
            else if (!allowed.IsMatch(value))
            {
                problems.Add(new(capPointer, $"{StrictJson.Quote(value)} {refusal}"));
            }
            else if (result.Contains(value, StringComparer.Ordinal))
            {
                // A list that says one thing twice is either a mistake or a probe for a reader that counts.
                problems.Add(new(capPointer, $"The capability \"{value}\" is listed twice."));
            }
            else
            {
                result.Add(value);
            }
        }

        return result;
    }

    private static ApiDefinition? ReadApi(JsonElement root, List<ServiceDefinition> services, bool servicesValid, List<PointerProblem> problems)
    {
        if (!root.TryGetProperty("api", out var api))
        {
            return null;
        }

        if (api.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new("/api", "\"api\" must be an object like {\"version\": \"1.0.0\", \"methods\": {…}}."));
            return null;
        }

        var before = problems.Count;
        RejectUnknownKeys(api, "/api", ApiKeys, problems);
        var version = RequiredString(api, "/api", "version", problems, 100);
        if (version is not null && VersionRules.Parse(version, out var versionProblem) is null)
        {
            problems.Add(new("/api/version", versionProblem!));
        }

        var serviceId = OptionalString(api, "/api", "service", problems, 64);
        if (serviceId is null && servicesValid && services.Count == 0)
        {
            problems.Add(new("/api", "An api is answered by a background service: declare one under \"services\"."));
        }
        else if (serviceId is not null && servicesValid && !services.Any(s => s.Id == serviceId))
        {
            problems.Add(new("/api/service", $"No service \"{serviceId}\" is declared under \"services\"."));
        }

        var methods = new Dictionary<string, ApiMethod>(StringComparer.Ordinal);
        if (!api.TryGetProperty("methods", out var methodsEl) || methodsEl.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new("/api/methods", "\"methods\" must be an object of method name → {description, input, output}."));
        }
        else
        {
            var count = 0;
            foreach (var m in methodsEl.EnumerateObject())
            {
                var pointer = JsonPointer.Append("/api/methods", m.Name);
                if (++count > MaxApiMethods)
                {
                    problems.Add(new("/api/methods", string.Create(CultureInfo.InvariantCulture, $"An api has at most {MaxApiMethods} methods.")));
                    break;
                }

                if (m.Name.Length > 64 || !MethodNamePattern().IsMatch(m.Name))
                {
                    problems.Add(new(pointer, "A method name is camelCase words (a lower-case letter, then letters and digits), optionally namespaced with dots, at most 64 characters, like \"formatTime\" or \"widgets.list\"."));
                    continue;
                }

                if (ReadMethod(m.Name, m.Value, pointer, problems) is { } method)
                {
                    methods[m.Name] = method;
                }
            }

            if (count == 0)
            {
                problems.Add(new("/api/methods", "An api declares at least one method."));
            }
        }

        if (problems.Count > before || version is null)
        {
            return null;
        }

        return new ApiDefinition(version, serviceId ?? services[0].Id, methods);
    }

    private static ApiMethod? ReadMethod(string name, JsonElement el, string pointer, List<PointerProblem> problems)
    {
        if (el.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(pointer, "A method must be an object like {\"description\": \"…\", \"input\": {…}, \"output\": {…}}."));
            return null;
        }

        var before = problems.Count;
        RejectUnknownKeys(el, pointer, MethodKeys, problems);
        var description = RequiredString(el, pointer, "description", problems, 500);
        var input = Schema(el, pointer, "input", problems);
        var output = Schema(el, pointer, "output", problems);
        var examples = new List<ApiExample>();
        if (el.TryGetProperty("examples", out var examplesEl))
        {
            var examplesPointer = JsonPointer.Append(pointer, "examples");
            if (examplesEl.ValueKind != JsonValueKind.Array || examplesEl.GetArrayLength() > MaxApiExamples)
            {
                problems.Add(new(examplesPointer, string.Create(CultureInfo.InvariantCulture, $"\"examples\" must be an array of at most {MaxApiExamples} {{title, input, output}}.")));
            }
            else
            {
                var i = 0;
                foreach (var ex in examplesEl.EnumerateArray())
                {
                    var exPointer = JsonPointer.Append(examplesPointer, i++);
                    if (ReadExample(ex, exPointer, input, output, problems) is { } example)
                    {
                        examples.Add(example);
                    }
                }
            }
        }

        if (problems.Count > before || description is null || input is null || output is null)
        {
            return null;
        }

        return new ApiMethod(name, description, input.Value.Element, output.Value.Element, examples)
        {
            InputSchema = input.Value.Compiled,
            OutputSchema = output.Value.Compiled,
        };
    }

    private static (JsonElement Element, NJsonSchema.JsonSchema Compiled)? Schema(JsonElement method, string pointer, string key, List<PointerProblem> problems)
    {
        var at = JsonPointer.Append(pointer, key);
        if (!method.TryGetProperty(key, out var schema))
        {
            problems.Add(new(at, $"\"{key}\" is required: a JSON Schema of the method's {key}."));
            return null;
        }

        return ApiSchemaRules.Compile(schema, at, problems) is { } compiled ? (schema.Clone(), compiled) : null;
    }

    /// <summary>An example documents the method, so it must be a call the host would let through both ways.</summary>
    private static ApiExample? ReadExample(
        JsonElement el, string pointer, (JsonElement Element, NJsonSchema.JsonSchema Compiled)? input, (JsonElement Element, NJsonSchema.JsonSchema Compiled)? output, List<PointerProblem> problems)
    {
        if (el.ValueKind != JsonValueKind.Object)
        {
            problems.Add(new(pointer, "An example must be an object like {\"title\": \"…\", \"input\": …, \"output\": …}."));
            return null;
        }

        var before = problems.Count;
        RejectUnknownKeys(el, pointer, ExampleKeys, problems);
        var title = OptionalString(el, pointer, "title", problems, 200) ?? "";
        if (!el.TryGetProperty("input", out var exInput) || !el.TryGetProperty("output", out var exOutput))
        {
            problems.Add(new(pointer, "An example needs both \"input\" and \"output\"."));
            return null;
        }

        foreach (var (value, schema, key) in new[] { (exInput, input, "input"), (exOutput, output, "output") })
        {
            if (schema is { } s)
            {
                foreach (var p in ApiSchemaRules.Validate(s.Compiled, value, 5))
                {
                    problems.Add(new(JsonPointer.Append(pointer, key) + p.Pointer, $"The example's {key} does not match the method's {key} schema: {p.Message}"));
                }
            }
        }

        return problems.Count > before ? null : new ApiExample(title, exInput.Clone(), exOutput.Clone());
    }
}
