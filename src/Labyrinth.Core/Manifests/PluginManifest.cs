using System.Text.Json;
using Labyrinth.Core.Messaging;

namespace Labyrinth.Core.Manifests;

/// <summary>A validated plugin manifest. Only <see cref="ManifestValidator"/> creates these.</summary>
public sealed record PluginManifest(
    string Id,
    string Name,
    string Version,
    string MinHostApiVersion,
    string Author,
    string Description,
    string License,
    IReadOnlyList<CardDefinition> Cards)
{
    /// <summary>Plugin id → npm-style version range (validated: reverse-DNS ids, ranges that parse).</summary>
    public IReadOnlyDictionary<string, string> Dependencies { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The themes the package ships (<c>themes[]</c>); each file is validated at install.</summary>
    public IReadOnlyList<ThemeEntry> Themes { get; init; } = [];

    /// <summary>Background services (<c>services[]</c>), each in a hidden frame of its own.</summary>
    public IReadOnlyList<ServiceDefinition> Services { get; init; } = [];

    /// <summary>The API other plugins may call, or null.</summary>
    public ApiDefinition? Api { get; init; }

    /// <summary>Pages (<c>pages[]</c>), each at a unique path.</summary>
    public IReadOnlyList<PageDefinition> Pages { get; init; } = [];

    /// <summary>The admin configuration's schema (<c>configSchema</c>), or null when the plugin takes none.</summary>
    public ConfigSchema? Config { get; init; }

    /// <summary>Whether any card or service requests <paramref name="capability"/>.</summary>
    public bool AnyRequests(string capability) =>
        Cards.Any(c => c.Capabilities.Contains(capability, StringComparer.Ordinal)) || Services.Any(s => s.Capabilities.Contains(capability, StringComparer.Ordinal));

    public ServiceDefinition? FindService(string id) => Services.FirstOrDefault(s => s.Id == id);

    public PageDefinition? FindPage(string path) => Pages.FirstOrDefault(p => p.Path == path);
}

/// <summary>One <c>themes[]</c> entry: the theme file (<c>themes/*.json</c>) and an optional PNG/WebP preview.</summary>
public sealed record ThemeEntry(string ThemeId, string? Name, string Path, string? Preview);

public sealed record SizePt(double Width, double Height);

public sealed record CardDefinition(
    string TypeId,
    string Name,
    string Icon,
    string Entry,
    SizePt DefaultSize,
    SizePt? MinSize,
    IReadOnlyList<string> Capabilities,
    JsonElement? PropsSchema)
{
    public bool IsHtmlEntry => Entry.EndsWith(".html", StringComparison.OrdinalIgnoreCase);

    /// <summary>The card's declared pub/sub topics (<c>cards[].topics</c>); none when the manifest declares none.</summary>
    public CardTopics Topics { get; init; } = CardTopics.None;
}

/// <summary>
/// One <c>services[]</c> entry: a background module the host runs in a hidden frame on the
/// plugin's card origin, with the requested capabilities (<c>crossCard:pubsub</c>,
/// <c>api:&lt;pluginId&gt;</c>; an admin grants them) and bus topics.
/// </summary>
public sealed record ServiceDefinition(string Id, string Entry, IReadOnlyList<string> Capabilities, CardTopics Topics);

/// <summary>
/// The plugin's API (<c>api</c>): methods other plugins call with <c>call(pluginId, method, input)</c>,
/// answered by the service <see cref="ServiceId"/>; every schema compiled at install.
/// </summary>
public sealed record ApiDefinition(string Version, string ServiceId, IReadOnlyDictionary<string, ApiMethod> Methods);

/// <summary>One API method: its documentation, its schemas (as written and compiled) and checked examples.</summary>
public sealed record ApiMethod(string Name, string Description, JsonElement Input, JsonElement Output, IReadOnlyList<ApiExample> Examples)
{
    public required NJsonSchema.JsonSchema InputSchema { get; init; }

    public required NJsonSchema.JsonSchema OutputSchema { get; init; }

    /// <summary>Problems of an input, each with a pointer into it; empty when it is valid.</summary>
    public IReadOnlyList<Errors.PointerProblem> CheckInput(JsonElement value) => ApiSchemaRules.Validate(InputSchema, value);

    /// <summary>Problems of an answer, each with a pointer into it; empty when it is valid.</summary>
    public IReadOnlyList<Errors.PointerProblem> CheckOutput(JsonElement value) => ApiSchemaRules.Validate(OutputSchema, value);
}

/// <summary>A documented call (checked against both schemas at install).</summary>
public sealed record ApiExample(string Title, JsonElement Input, JsonElement Output);

/// <summary>Who may open a page (<c>pages[].requires.role</c>); admins may open every page.</summary>
public enum PageRole
{
    Member,
    Admin,
}

/// <summary>A page's navigation entry: the section it is listed under and its place there (ascending).</summary>
public sealed record PageNav(string Section, int Order);

/// <summary>
/// One <c>pages[]</c> entry, mounted at <c>/apps/{pluginId}/{Path}</c> (<c>""</c> is the plugin's
/// home page) in the card runtime. <see cref="Capabilities"/> are granted by an admin, like services'.
/// </summary>
public sealed record PageDefinition(string Path, string Title, string Icon, string Entry, PageNav? Nav, PageRole Role, IReadOnlyList<string> Capabilities)
{
    public bool IsHtmlEntry => Entry.EndsWith(".html", StringComparison.OrdinalIgnoreCase);

    /// <summary>The page's bus topics (<c>pages[].topics</c>, as for cards); publishing and subscribing also need <c>crossCard:pubsub</c>.</summary>
    public CardTopics Topics { get; init; } = CardTopics.None;

    /// <summary>Whether someone with (or without) the admin role may open the page.</summary>
    public bool Allows(bool isAdmin) => Role == PageRole.Member || isAdmin;
}
