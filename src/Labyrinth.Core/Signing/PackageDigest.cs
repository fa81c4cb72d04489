using System.Security.Cryptography;
using System.Text;
using Labyrinth.Core.Packages;

namespace Labyrinth.Core.Signing;

/// <summary>
/// The digest a publisher signs: SHA-256 over the UTF-8 text made of one line
/// <c>path TAB sha256hex LF</c> per file, sorted by ordinal path, every file except
/// <c>SIGNATURE</c> itself. Listing paths (not just contents) means renaming, adding or removing a
/// file changes the digest as surely as editing one.
/// </summary>
public static class PackageDigest
{
    public static byte[] Compute(IEnumerable<PackageFile> files) => SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalText(files)));

    /// <summary>The exact text that is hashed; exposed so a CLI can show what was signed.</summary>
    public static string CanonicalText(IEnumerable<PackageFile> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var text = new StringBuilder();
        string? previous = null;
        foreach (var file in files.Where(f => f.Path != PackageReader.SignaturePath).OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            // Tabs and newlines would make two different listings produce the same text.
            if (file.Path.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0 || file.Path == previous)
            {
                throw new ArgumentException($"The file list has an unusable or duplicate path \"{file.Path}\".", nameof(files));
            }

            text.Append(file.Path).Append('\t').Append(file.Sha256Hex.ToLowerInvariant()).Append('\n');
            previous = file.Path;
        }

        return text.ToString();
    }

    /// <summary>Describes one file's bytes the way <see cref="PackageReader"/> does (for packing from a folder).</summary>
    public static PackageFile Describe(string path, ReadOnlySpan<byte> content) =>
        new(path, Convert.ToHexStringLower(SHA256.HashData(content)), content.Length);
}
