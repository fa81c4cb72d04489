using Labyrinth.Core.Signing;

namespace Labyrinth.Cli.Features.Keys;

/// <summary>Reads and writes publisher key files (the JSON of <see cref="PublisherKey.ExportKeyFile"/>).</summary>
internal static class KeyFiles
{
    /// <summary>
    /// Writes a new key file readable by its owner only. The file is created with mode 600 rather
    /// than chmod-ed afterwards, so the private key is never on disk with wider permissions.
    /// </summary>
    public static void Write(PublisherKey key, string path, bool force)
    {
        ArgumentNullException.ThrowIfNull(key);
        var full = Path.GetFullPath(path);
        if (File.Exists(full) || Directory.Exists(full))
        {
            if (!force || Directory.Exists(full))
            {
                throw new CliException(ExitCodes.Failed, $"\"{path}\" already exists; pass --force to overwrite it.");
            }

            File.Delete(full);
        }

        if (Path.GetDirectoryName(full) is { } parent)
        {
            Directory.CreateDirectory(parent);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(full, options);
        stream.Write(key.ExportKeyFile());
    }

    public static PublisherKey Read(string path)
    {
        CliApp.RequireFile(path, "The key file");
        try
        {
            return PublisherKey.ImportKeyFile(File.ReadAllBytes(path));
        }
        catch (FormatException ex)
        {
            throw new CliException(ExitCodes.Failed, $"\"{path}\" is not a publisher key file: {ex.Message}");
        }
    }
}
