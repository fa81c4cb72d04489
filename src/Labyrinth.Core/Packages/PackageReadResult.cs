namespace Labyrinth.Core.Packages;

/// <summary>One extracted file: its package path, the lower-case hex SHA-256 of its bytes, and its size in bytes.</summary>
public sealed record PackageFile(string Path, string Sha256Hex, long Bytes);

/// <summary>
/// One reason a package was refused. <see cref="Code"/> is a stable <c>package.*</c> code from
/// <see cref="Errors.ErrorCodes"/> (metrics count rejections by it); <see cref="Entry"/> is the
/// entry's name when the problem belongs to one; <see cref="Message"/> is a sentence naming it.
/// </summary>
public sealed record PackageProblem(string Code, string? Entry, string Message);

/// <summary>
/// The outcome of <see cref="PackageReader.Read"/>. When <see cref="Problems"/> is non-empty the
/// other members are empty and the extraction directory has been emptied.
/// </summary>
public sealed record PackageReadResult(
    IReadOnlyList<PackageFile> Files,
    byte[] ManifestBytes,
    byte[]? SignatureBytes,
    IReadOnlyList<PackageProblem> Problems)
{
    public bool IsValid => Problems.Count == 0;

    internal static PackageReadResult Failed(IReadOnlyList<PackageProblem> problems) => new([], [], null, problems);
}
