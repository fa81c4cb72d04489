using System.Text.Json;
using Labyrinth.Core.Manifests;
using Labyrinth.Core.Packages;
using Labyrinth.Core.Signing;

namespace Labyrinth.Cli.Features.Packages;

/// <summary>What <c>plugin verify</c> concluded, in words and as a stable status for <c>--json</c>.</summary>
internal sealed record Inspection(
    string Status,
    string Verdict,
    PluginManifest? Manifest,
    IReadOnlyList<PackageFile> Files,
    string? Digest,
    IReadOnlyList<string> Problems)
{
    /// <summary>
    /// A package passes when it reads and validates cleanly and its signature is genuine. When
    /// trust keys were given it must also be signed by one of them.
    /// </summary>
    public bool Passes(bool trustRequired) => Status == "trusted" || (Status == "untrusted-key" && !trustRequired);
}

/// <summary>Runs a package through the host's own validation (<see cref="PackageValidator"/>) and signature check, without a host.</summary>
internal static class PackageInspector
{
    public static Inspection Inspect(string packagePath, TrustStore trust)
    {
        ArgumentNullException.ThrowIfNull(trust);
        CliApp.RequireFile(packagePath, "The package");
        using var stream = File.OpenRead(packagePath);
        var validation = Packing.Validate(stream, _ => { });
        if (!validation.IsValid)
        {
            return validation.Files.Count == 0
                ? new("invalid", "invalid package", null, [], null, [.. validation.Problems.Select(p => p.ToString())])
                : new("invalid", "invalid manifest or theme", null, validation.Files, Convert.ToHexStringLower(PackageDigest.Compute(validation.Files)), [.. validation.Problems.Select(p => p.ToString())]);
        }

        var digest = Convert.ToHexStringLower(PackageDigest.Compute(validation.Files));
        var (status, verdict) = PackageSignature.Verify(validation.Files, validation.SignatureBytes, trust) switch
        {
            SignatureVerdict.Trusted t => ("trusted", $"trusted: signed by {t.KeyName} (key {t.KeyId})"),
            SignatureVerdict.UntrustedKey u => ("untrusted-key", $"signed by unknown key {u.KeyId}"),
            SignatureVerdict.Unsigned => ("unsigned", "unsigned"),
            SignatureVerdict.Tampered t => ("tampered", $"tampered: the files do not match the signature by key {t.KeyId}"),
            SignatureVerdict.Invalid i => ("invalid-signature", $"invalid signature: {i.Reason}"),
            _ => ("invalid-signature", "invalid signature"),
        };
        return new(status, verdict, validation.Manifest, validation.Files, digest, []);
    }

    /// <summary>
    /// Turns <c>--trust</c> values into a trust store. Each is a key file path (a full key file, or
    /// any JSON object with <c>publicKey</c> and optionally <c>name</c>) or a base64 public key.
    /// Only the public half is read, so a public-only file works as well as a private key file.
    /// </summary>
    public static TrustStore ParseTrust(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return new TrustStore(values.Select(value => ParsePublicKey(value, "--trust")).ToList());
    }

    /// <summary>One publisher's public key from a key file path or a base64 public key; <paramref name="what"/> names the input in errors.</summary>
    public static TrustedKey ParsePublicKey(string value, string what)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (File.Exists(value))
        {
            return ReadTrustFile(value, what);
        }

        return DecodePublicKey(value) is { } raw
            ? new TrustedKey("key " + SignatureFile.KeyIdOf(raw), raw)
            : throw new CliException(ExitCodes.Usage, $"{what} \"{value}\" is neither an existing key file nor a base64 Ed25519 public key (32 bytes).");
    }

    private static TrustedKey ReadTrustFile(string path, string what)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object &&
                root.TryGetProperty("publicKey", out var publicKey) && publicKey.ValueKind == JsonValueKind.String &&
                DecodePublicKey(publicKey.GetString()!) is { } raw)
            {
                var name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(n.GetString())
                    ? n.GetString()!
                    : "key " + SignatureFile.KeyIdOf(raw);
                return new TrustedKey(name, raw);
            }
        }
        catch (JsonException)
        {
            // Falls through to the sentence below.
        }

        throw new CliException(ExitCodes.Usage, $"{what} \"{path}\" is not a key file (a JSON object with a base64 \"publicKey\" of 32 bytes).");
    }

    private static byte[]? DecodePublicKey(string base64)
    {
        var buffer = new byte[SignatureFile.PublicKeyLength + 3];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out var written) && written == SignatureFile.PublicKeyLength
            ? buffer[..SignatureFile.PublicKeyLength]
            : null;
    }
}
