namespace Labyrinth.Core.Signing;

/// <summary>A publisher key the admin trusts, with the name shown as "signed by …".</summary>
public sealed record TrustedKey
{
    public TrustedKey(string name, byte[] publicKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(publicKey);
        if (publicKey.Length != SignatureFile.PublicKeyLength)
        {
            throw new ArgumentException($"An Ed25519 public key is exactly {SignatureFile.PublicKeyLength} bytes.", nameof(publicKey));
        }

        Name = name;
        PublicKey = publicKey.ToArray();
        KeyId = SignatureFile.KeyIdOf(publicKey);
    }

    public string Name { get; }
    public byte[] PublicKey { get; }
    public string KeyId { get; }
}

/// <summary>
/// The set of trusted publisher keys. Pure and immutable: the host loads it from storage for
/// each decision, so a key removed by an admin stops counting at once.
/// </summary>
public sealed class TrustStore
{
    private readonly List<TrustedKey> _keys;

    public TrustStore(IEnumerable<TrustedKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = [.. keys];
    }

    public static TrustStore Empty { get; } = new([]);

    public IReadOnlyList<TrustedKey> Keys => _keys;

    /// <summary>Finds a key by its full public key bytes (never by id alone, which is only 64 bits).</summary>
    public TrustedKey? Find(ReadOnlySpan<byte> publicKey)
    {
        foreach (var key in _keys)
        {
            if (key.PublicKey.AsSpan().SequenceEqual(publicKey))
            {
                return key;
            }
        }

        return null;
    }
}
