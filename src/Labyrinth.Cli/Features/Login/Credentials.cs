using System.Text.Json;
using System.Text.Json.Serialization;

namespace Labyrinth.Cli.Features.Login;

/// <summary>A token <c>labyrinth login</c> created, for one server.</summary>
internal sealed record StoredLogin(string Token, string UserName, DateTime CreatedAt);

/// <summary>What the credentials file holds: one login per server URL and the server used by default.</summary>
internal sealed record CredentialsFile(
    [property: JsonPropertyName("default")] string? Default,
    [property: JsonPropertyName("servers")] Dictionary<string, StoredLogin> Servers);

/// <summary>
/// The user's credentials file: <c>$XDG_CONFIG_HOME/labyrinth/credentials.json</c> (or
/// <c>~/.config/labyrinth/…</c>; <c>%APPDATA%\labyrinth\…</c> on Windows). On Unix the folder is
/// created 700 and the file written 600 (a new file renamed over the old), so the token is never
/// readable by others, not even while it is written; a file other users can read is refused.
/// </summary>
internal sealed class Credentials(CliContext context)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The file, or null when the environment names no home or config folder.</summary>
    public string? Path { get; } = ResolvePath(context);

    /// <summary>
    /// Only from the command's environment (never the process's directly), so tests with a
    /// private environment can never read or write a real user's tokens.
    /// </summary>
    public static string? ResolvePath(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Environment("LABYRINTH_CREDENTIALS") is { Length: > 0 } explicitPath)
        {
            return System.IO.Path.GetFullPath(explicitPath);
        }

        var config = OperatingSystem.IsWindows()
            ? context.Environment("APPDATA")
            : context.Environment("XDG_CONFIG_HOME") is { Length: > 0 } xdg && System.IO.Path.IsPathRooted(xdg)
                ? xdg
                : context.Environment("HOME") is { Length: > 0 } home ? System.IO.Path.Combine(home, ".config") : null;
        return config is null ? null : System.IO.Path.Combine(config, "labyrinth", "credentials.json");
    }

    /// <summary>The stored file, or an empty one when there is none.</summary>
    public CredentialsFile Read()
    {
        if (Path is null || !File.Exists(Path))
        {
            return new(null, []);
        }

        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(Path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new CliException(ExitCodes.Failed, $"{Path} can be read or written by other users; it holds access tokens. Run 'chmod 600 {Path}' (and consider revoking its tokens), then try again.");
        }

        try
        {
            var file = JsonSerializer.Deserialize<CredentialsFile>(File.ReadAllBytes(Path), Json);
            return file is null ? new(null, []) : file with { Servers = file.Servers ?? [] };
        }
        catch (JsonException ex)
        {
            throw new CliException(ExitCodes.Failed, $"{Path} is not a credentials file ({ex.Message}). Remove it and run 'labyrinth login' again.");
        }
    }

    public StoredLogin? Find(string server) => Read().Servers.GetValueOrDefault(Key(server));

    public string? DefaultServer => Read().Default;

    public void Save(string server, StoredLogin login)
    {
        var current = Read();
        current.Servers[Key(server)] = login;
        Write(current with { Default = Key(server) });
    }

    /// <summary>Forgets the login for <paramref name="server"/>; returns it (to revoke) or null.</summary>
    public StoredLogin? Remove(string server)
    {
        var current = Read();
        if (!current.Servers.Remove(Key(server), out var removed))
        {
            return null;
        }

        Write(current with { Default = current.Default == Key(server) ? current.Servers.Keys.FirstOrDefault() : current.Default });
        return removed;
    }

    /// <summary>Servers are keyed by their URL with one trailing slash, as the CLI uses it.</summary>
    public static string Key(string server) => server.TrimEnd('/') + "/";

    private void Write(CredentialsFile file)
    {
        if (Path is null)
        {
            throw new CliException(ExitCodes.Usage, "Cannot tell where to keep the token: neither HOME nor XDG_CONFIG_HOME is set (or set LABYRINTH_CREDENTIALS to a file path).");
        }

        var directory = System.IO.Path.GetDirectoryName(Path)!;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var temp = System.IO.Path.Combine(directory, ".credentials-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temp, options))
            {
                JsonSerializer.Serialize(stream, file, Json);
            }

            File.Move(temp, Path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
