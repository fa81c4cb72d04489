namespace Labyrinth.Host.Infrastructure;

/// <summary>Host settings, bound from the "Labyrinth" section (env: Labyrinth__DataDir, …).</summary>
internal sealed class LabyrinthOptions
{
    public const string Section = "Labyrinth";

    /// <summary>Where the database, plugin store and keys live. Relative paths are resolved from the repository root.</summary>
    public string DataDir { get; set; } = "data";

    /// <summary>Built web UI (index.html + assets). Defaults to web/dist in the repository.</summary>
    public string? WebRoot { get; set; }

    /// <summary>Built frame bootstrap. Defaults to web/frame/dist in the repository.</summary>
    public string? FrameRoot { get; set; }

    /// <summary>Example plugins' build outputs (each plugins/*/dist). Empty string disables example registration.</summary>
    public string? ExamplePluginsDir { get; set; }

    /// <summary>
    /// Also install the example plugins marked test-only (<c>"labyrinth": { "testOnly": true }</c> in
    /// their package.json: the sandbox probe). Set by the test fixtures; never wanted by people.
    /// </summary>
    public bool InstallTestPlugins { get; set; }

    public int LoginAttemptsPerMinute { get; set; } = 10;

    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Whether admins may upload development versions (<c>x.y.z-dev.N</c>, unsigned, from
    /// <c>labyrinth plugin dev</c>). Unset: on when the host listens on loopback addresses only,
    /// off otherwise. Env: <c>Labyrinth__Plugins__AllowDevInstalls</c>.
    /// </summary>
    public PluginSettings Plugins { get; set; } = new();
}

/// <summary>The "Labyrinth:Plugins" section.</summary>
internal sealed class PluginSettings
{
    public bool? AllowDevInstalls { get; set; }

    /// <summary>How many development versions of one plugin are kept; older ones are uninstalled on the next dev install.</summary>
    public int DevVersionsKept { get; set; } = 3;
}
