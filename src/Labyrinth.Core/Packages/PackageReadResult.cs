namespace Labyrinth.Core.Packages;

/// <summary>One extracted file: its package path, the lower-case hex SHA-256 of its bytes, and its size in bytes.</summary>
public sealed record PackageFile(string Path, string Sha256Hex, long Bytes);

/// <summary>
/// One reason a package was refused. <see cref="Code"/> is a stable code from
/// <see cref="Errors.ErrorCodes"/> (metrics count rejections by it); <see cref="Entry"/> is the
/// entry's name when the problem belongs to one; <see cref="Message"/> is a sentence naming it;
/// <see cref="Pointer"/> is the JSON pointer into the entry (manifest.json, a theme) when there is one.
/// </summary>
public sealed record PackageProblem(string Code, string? Entry, string Message)
{
    public string? Pointer { get; init; }

    /// <summary>One line for a terminal: "themes/x.json /tokens/bg: sentence", or the sentence alone when it already names its entry.</summary>
    public override string ToString() =>
        Pointer is not null ? $"{Entry}{(Pointer.Length == 0 ? "" : " " + Pointer)}: {Message}"
        : Entry is not null && !Message.StartsWith("Entry ", StringComparison.Ordinal) ? $"{Entry}: {Message}"
        : Message;
}

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
