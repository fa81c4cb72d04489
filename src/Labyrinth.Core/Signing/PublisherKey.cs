using System.Text.Json;
using NSec.Cryptography;

namespace Labyrinth.Core.Signing;

/// <summary>
/// A publisher's Ed25519 key pair. The private key is exported only as the raw 32-byte seed,
/// inside a key file <c>{"algorithm":"ed25519","name":…,"publicKey":…,"privateKey":…}</c>
/// (base64), which the CLI writes with owner-only permissions.
/// </summary>
public sealed class PublisherKey : IDisposable
{
    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;
    private static readonly string[] FileKeys = ["algorithm", "name", "publicKey", "privateKey"];
    private readonly Key _key;

    private PublisherKey(string name, Key key)
    {
        Name = name;
        _key = key;
        PublicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        KeyId = SignatureFile.KeyIdOf(PublicKey);
    }

    public string Name { get; }

    /// <summary>The raw 32-byte public key.</summary>
    public byte[] PublicKey { get; }

    public string KeyId { get; }

    public static PublisherKey Generate(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new PublisherKey(name, Key.Create(Ed25519, Exportable));
    }

    /// <summary>Imports a raw 32-byte Ed25519 seed.</summary>
    public static PublisherKey ImportPrivateKey(string name, ReadOnlySpan<byte> seed)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (seed.Length != 32)
        {
            throw new FormatException("An Ed25519 private key is exactly 32 bytes.");
        }

        return new PublisherKey(name, Key.Import(Ed25519, seed, KeyBlobFormat.RawPrivateKey, Exportable));
    }

    /// <summary>The raw 32-byte seed. Whoever holds it can sign as this publisher.</summary>
    public byte[] ExportPrivateKey() => _key.Export(KeyBlobFormat.RawPrivateKey);

    public byte[] ExportKeyFile() => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
    {
        ["algorithm"] = SignatureFile.Algorithm,
        ["name"] = Name,
        ["publicKey"] = Convert.ToBase64String(PublicKey),
        ["privateKey"] = Convert.ToBase64String(ExportPrivateKey()),
    }, SignatureFile.Indented);

    /// <summary>Reads a key file; throws <see cref="FormatException"/> with a sentence when it is not one.</summary>
    public static PublisherKey ImportKeyFile(ReadOnlySpan<byte> json)
    {
        Dictionary<string, string>? values;
        try
        {
            values = JsonSerializer.Deserialize<Dictionary<string, string>>(json);
        }
        catch (JsonException)
        {
            throw new FormatException("The key file is not a JSON object of strings.");
        }

        if (values is null || values.Count != FileKeys.Length || FileKeys.Any(k => !values.ContainsKey(k)))
        {
            throw new FormatException("The key file must have exactly: " + string.Join(", ", FileKeys) + ".");
        }

        if (values["algorithm"] != SignatureFile.Algorithm)
        {
            throw new FormatException($"The key file algorithm must be \"{SignatureFile.Algorithm}\".");
        }

        var seed = SignatureFile.DecodeExact(values["privateKey"], 32) ?? throw new FormatException("The key file privateKey must be base64 of 32 bytes.");
        var key = ImportPrivateKey(values["name"], seed);
        if (values["publicKey"] != Convert.ToBase64String(key.PublicKey))
        {
            key.Dispose();
            throw new FormatException("The key file publicKey does not belong to its privateKey.");
        }

        return key;
    }

    public byte[] Sign(ReadOnlySpan<byte> digest) => Ed25519.Sign(_key, digest);

    /// <summary>True when <paramref name="signature"/> is this digest signed by <paramref name="publicKey"/>; false for malformed input.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> digest, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureFile.SignatureLength &&
        NSec.Cryptography.PublicKey.TryImport(Ed25519, publicKey, KeyBlobFormat.RawPublicKey, out var key) &&
        key is not null &&
        Ed25519.Verify(key, digest, signature);

    public void Dispose() => _key.Dispose();

    private static KeyCreationParameters Exportable => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };
}
