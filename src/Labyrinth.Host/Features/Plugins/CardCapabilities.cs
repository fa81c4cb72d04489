using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Labyrinth.Host.Features.Rollouts;
using Labyrinth.Host.Infrastructure;

namespace Labyrinth.Host.Features.Plugins;

/// <summary>
/// Capability URLs for plugin files and frames. Card origins carry no cookie (an opaque-origin
/// frame has none, by design), so the host page is handed, per person, a path prefix
/// <c>/cap/{token}</c> for each plugin version that person may load, and the card-origin
/// endpoints serve nothing without a valid one. The token binds (person, plugin, version, access
/// stamp): it is an AES permutation of the user id (so a card never learns who its person is)
/// followed by a truncated HMAC-SHA256 over the user id, plugin id, version and the person's
/// access stamp (<see cref="PluginAccess.Stamp"/>). When availability, group membership or the
/// rollout assignment that matters for this person changes, the stamp changes, so their old URLs
/// stop verifying; and every request is checked against today's access as well. The key lives in
/// the data directory's private keys folder and never leaves the server.
/// </summary>
internal sealed class CardCapabilities : IDisposable
{
    /// <summary>First path segment of every plugin surface on a card origin: <c>/cap/{token}/plugins/…</c>.</summary>
    public const string Segment = "cap";

    /// <summary>22 characters of the sealed user id, 22 of the MAC (both 16 bytes, base64url).</summary>
    public const int TokenLength = 44;

    private const int PartLength = 22;
    private const string KeyFileName = "card-urls.key";

    // Verified tokens, direct-mapped by a per-process seeded hash of the token's bytes. An entry
    // holds only a token that verified, with the plugin object and access snapshot it verified
    // against; both are immutable and replaced on any change (availability, groups, rollouts,
    // enable, kill, install), so a reference check is the invalidation. Only successes enter, so a
    // forged token always takes the full MAC check; the compare is constant-time over the whole
    // token, and the slot is not derivable from the token without the seed.
    private const int CacheSlots = 1024;
    private static readonly VerifiedToken NoEntry = new(new byte[RawTokenBytes], null, "", null, Guid.Empty);
    private const int RawTokenBytes = 32;
    private readonly VerifiedToken?[] verified = new VerifiedToken?[CacheSlots];
    private long fullChecks;

    private readonly byte[] macKey;
    private readonly byte[] userKey;
    private readonly PluginAccess access;

    // Aes instances are not safe for concurrent use; a few are kept for the hot path.
    private readonly ConcurrentBag<Aes> ciphers = [];

    public CardCapabilities(HostPaths paths, PluginAccess access)
        : this(LoadOrCreateKey(Path.Combine((paths ?? throw new ArgumentNullException(nameof(paths))).KeysDir, KeyFileName)), access)
    {
    }

    internal CardCapabilities(byte[] master, PluginAccess access)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentNullException.ThrowIfNull(access);
        this.access = access;
        macKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 32, info: "labyrinth card url mac"u8.ToArray());
        userKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, master, 16, info: "labyrinth card url user"u8.ToArray());
    }

    /// <summary>The path prefix (<c>/cap/{token}</c>) under which this person may load this plugin version.</summary>
    public string Prefix(Guid userId, InstalledPlugin plugin, string version) => $"/{Segment}/{Token(userId, plugin, version)}";

    public string Token(Guid userId, InstalledPlugin plugin, string version)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        ArgumentNullException.ThrowIfNull(version);
        Span<byte> sealedUser = stackalloc byte[16];
        Seal(userId, sealedUser, encrypt: true);
        Span<byte> mac = stackalloc byte[32];
        Mac(userId, plugin, version, mac);
        Span<char> token = stackalloc char[TokenLength];
        Base64Url.EncodeToChars(sealedUser, token[..PartLength]);
        Base64Url.EncodeToChars(mac[..16], token[PartLength..]);
        return new string(token);
    }

    /// <summary>
    /// The person a token was issued to, when it is well formed, its MAC matches their current
    /// access stamp for this plugin version, and they may load that version today; otherwise null.
    /// Callers answer every null the same way (404), so a refusal says nothing about why.
    /// </summary>
    public Guid? Verify(ReadOnlySpan<char> token, InstalledPlugin plugin, string version)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        ArgumentNullException.ThrowIfNull(version);
        Span<byte> raw = stackalloc byte[RawTokenBytes];
        var sealedUser = raw[..16];
        var given = raw[16..];
        if (token.Length != TokenLength ||
            Base64Url.DecodeFromChars(token[..PartLength], sealedUser, out var read, out var written) != System.Buffers.OperationStatus.Done || read != PartLength || written != 16 ||
            Base64Url.DecodeFromChars(token[PartLength..], given, out read, out written) != System.Buffers.OperationStatus.Done || read != PartLength || written != 16)
        {
            return null;
        }

        // Read before verifying: an entry must never claim a newer snapshot than the one it was checked against.
        var generation = access.Generation;
        var slot = Slot(raw);
        var entry = Volatile.Read(ref verified[slot]) ?? NoEntry;
        if (CryptographicOperations.FixedTimeEquals(entry.Token, raw) &&
            ReferenceEquals(entry.Plugin, plugin) && ReferenceEquals(entry.Generation, generation) &&
            string.Equals(entry.Version, version, StringComparison.Ordinal))
        {
            return entry.UserId;
        }

        Interlocked.Increment(ref fullChecks);
        var userId = VerifyFully(sealedUser, given, plugin, version);
        if (userId is { } id)
        {
            Volatile.Write(ref verified[slot], new VerifiedToken(raw.ToArray(), plugin, version, generation, id));
        }

        return userId;
    }

    /// <summary>How many verifications took the full path (decrypt, stamp, MAC) rather than the cache.</summary>
    internal long FullChecks => Interlocked.Read(ref fullChecks);

    private static int Slot(ReadOnlySpan<byte> raw)
    {
        var hash = new HashCode(); // seeded per process
        hash.AddBytes(raw);
        return hash.ToHashCode() & (CacheSlots - 1);
    }

    private sealed record VerifiedToken(byte[] Token, InstalledPlugin? Plugin, string Version, object? Generation, Guid UserId);

    private Guid? VerifyFully(ReadOnlySpan<byte> sealedUser, ReadOnlySpan<byte> given, InstalledPlugin plugin, string version)
    {
        Span<byte> userBytes = stackalloc byte[16];
        SealInto(sealedUser, userBytes, encrypt: false);
        var userId = new Guid(userBytes);
        Span<byte> expected = stackalloc byte[32];
        Mac(userId, plugin, version, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected[..16], given))
        {
            return null;
        }

        return plugin.Enabled && plugin.Versions.ContainsKey(version) && access.AllowsVersion(userId, plugin, version) ? userId : null;
    }

    public void Dispose()
    {
        while (ciphers.TryTake(out var aes))
        {
            aes.Dispose();
        }
    }

    private void Mac(Guid userId, InstalledPlugin plugin, string version, Span<byte> destination)
    {
        var message = Encoding.UTF8.GetBytes(string.Join('\n', userId.ToString("N"), plugin.Id, version, access.Stamp(userId, plugin)));
        HMACSHA256.HashData(macKey, message, destination);
    }

    private void Seal(Guid userId, Span<byte> destination, bool encrypt)
    {
        Span<byte> plain = stackalloc byte[16];
        userId.TryWriteBytes(plain);
        SealInto(plain, destination, encrypt);
    }

    /// <summary>One AES block, no mode: a keyed permutation of the 16 user-id bytes (deterministic, so URLs stay cacheable).</summary>
    private void SealInto(ReadOnlySpan<byte> input, Span<byte> output, bool encrypt)
    {
        if (!ciphers.TryTake(out var aes))
        {
            aes = Aes.Create();
            aes.Key = userKey;
        }

        try
        {
            if (encrypt)
            {
                aes.EncryptEcb(input, output, PaddingMode.None);
            }
            else
            {
                aes.DecryptEcb(input, output, PaddingMode.None);
            }
        }
        finally
        {
            ciphers.Add(aes);
        }
    }

    /// <summary>32 random bytes in keys/card-urls.key (600, like the Data Protection keys); made once, shared by every host on the data directory.</summary>
    private static byte[] LoadOrCreateKey(string path)
    {
        KeyRingRepository.EnsurePrivateDirectory(Path.GetDirectoryName(path)!);
        if (!File.Exists(path))
        {
            // Written beside, then moved into place: a host starting at the same moment reads a whole key or none.
            var temp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = KeyRingRepository.FileMode;
            }

            using (var stream = new FileStream(temp, options))
            {
                stream.Write(Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
            }

            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temp); // another host on the same data directory made it first: use theirs
            }
        }

        var key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        if (key.Length < 32)
        {
            throw new InvalidOperationException($"{path} holds a card URL key shorter than 32 bytes; delete it and start again (open cards reload).");
        }

        return key;
    }
}
