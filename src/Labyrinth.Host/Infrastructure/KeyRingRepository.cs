using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Logging.Abstractions;

namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// The Data Protection key ring on disk (data/keys/dataprotection). The keys sign the sign-in
/// cookies and encrypt the vault; encrypting them again would need a key stored right beside
/// them, so instead only this OS user can read them: the folders are created 700 and every key
/// file is 600 (Unix). Existing files are tightened at start.
/// </summary>
internal sealed class KeyRingRepository : IXmlRepository
{
    public const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private readonly DirectoryInfo directory;
    private readonly FileSystemXmlRepository inner;

    public KeyRingRepository(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        directory = new DirectoryInfo(path);
        EnsurePrivateDirectory(directory.Parent!.FullName);
        EnsurePrivateDirectory(directory.FullName);
        foreach (var file in directory.EnumerateFiles())
        {
            MakePrivate(file.FullName);
        }

        inner = new FileSystemXmlRepository(directory, NullLoggerFactory.Instance);
    }

    public IReadOnlyCollection<XElement> GetAllElements() => inner.GetAllElements();

    public void StoreElement(XElement element, string friendlyName)
    {
        // The folder is already 700, so the new file is never readable by others, even for the
        // moment before its own mode is set.
        inner.StoreElement(element, friendlyName);
        foreach (var file in directory.EnumerateFiles("*.xml"))
        {
            MakePrivate(file.FullName);
        }
    }

    /// <summary>Creates the folder 700, or tightens an existing one to 700 (Unix; a no-op on Windows).</summary>
    public static void EnsurePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        Directory.CreateDirectory(path, DirectoryMode);
        if (File.GetUnixFileMode(path) != DirectoryMode)
        {
            File.SetUnixFileMode(path, DirectoryMode);
        }
    }

    private static void MakePrivate(string file)
    {
        if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(file) != FileMode)
        {
            File.SetUnixFileMode(file, FileMode);
        }
    }
}
