using System.Security.Cryptography;
using System.Text.Json;

namespace Labyrinth.Core.Signing;

/// <summary>
/// The <c>SIGNATURE</c> file: <c>{"algorithm":"ed25519","keyId":…,"publicKey":…,"signature":…}</c>
/// with base64 key (32 bytes) and signature (64 bytes). Parsing is strict — unknown or repeated
/// keys, wrong lengths or a key id that does not match the key are refused — so there is exactly
/// one way to read a given file.
/// </summary>
public sealed record SignatureFile(string KeyId, byte[] PublicKey, byte[] Signature)
{
    public const string Algorithm = "ed25519";
    public const int PublicKeyLength = 32;
    public const int SignatureLength = 64;

    internal static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static readonly string[] Keys = ["algorithm", "keyId", "publicKey", "signature"];

    /// <summary>The key id: the first 16 lower-case hex digits of SHA-256 of the raw public key.</summary>
    public static string KeyIdOf(ReadOnlySpan<byte> publicKey) => Convert.ToHexStringLower(SHA256.HashData(publicKey))[..16];

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
    {
        ["algorithm"] = Algorithm,
        ["keyId"] = KeyId,
        ["publicKey"] = Convert.ToBase64String(PublicKey),
        ["signature"] = Convert.ToBase64String(Signature),
    }, SignatureFile.Indented);

    /// <summary>Parses a SIGNATURE; returns null with a sentence in <paramref name="problem"/> when it is not one.</summary>
    public static SignatureFile? Parse(ReadOnlySpan<byte> json, out string? problem)
    {
        problem = null;
        var problems = new List<Errors.PointerProblem>();
        var doc = Json.StrictJson.Parse(json.ToArray(), "SIGNATURE", 4, problems);
        if (doc is null)
        {
            var first = problems[0];
            problem = first.Pointer.Length == 0 ? first.Message : $"SIGNATURE {first.Pointer}: {first.Message}";
            return null;
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = "SIGNATURE must be a JSON object.";
                return null;
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!Keys.Contains(property.Name, StringComparer.Ordinal))
                {
                    problem = $"SIGNATURE has an unknown key \"{property.Name}\".";
                    return null;
                }

                if (property.Value.ValueKind != JsonValueKind.String || !values.TryAdd(property.Name, property.Value.GetString()!))
                {
                    problem = $"SIGNATURE key \"{property.Name}\" must appear once, as a string.";
                    return null;
                }
            }

            if (Keys.FirstOrDefault(k => !values.ContainsKey(k)) is { } missing)
            {
                problem = $"SIGNATURE is missing \"{missing}\".";
                return null;
            }

            if (values["algorithm"] != Algorithm)
            {
                problem = $"SIGNATURE algorithm must be \"{Algorithm}\".";
                return null;
            }

            var publicKey = DecodeExact(values["publicKey"], PublicKeyLength);
            if (publicKey is null)
            {
                problem = $"SIGNATURE publicKey must be base64 of exactly {PublicKeyLength} bytes.";
                return null;
            }

            var signature = DecodeExact(values["signature"], SignatureLength);
            if (signature is null)
            {
                problem = $"SIGNATURE signature must be base64 of exactly {SignatureLength} bytes.";
                return null;
            }

            if (values["keyId"] != KeyIdOf(publicKey))
            {
                problem = "SIGNATURE keyId does not match its publicKey.";
                return null;
            }

            return new SignatureFile(values["keyId"], publicKey, signature);
        }
    }

    internal static byte[]? DecodeExact(string base64, int length)
    {
        var buffer = new byte[length + 3];
        return Convert.TryFromBase64String(base64, buffer, out var written) && written == length ? buffer[..length] : null;
    }
}
