namespace Labyrinth.Core.Storage;

/// <summary>
/// Plugin key/value storage: its scopes, capabilities and limits (the SDK checks the same figures
/// early: <c>STORAGE_LIMITS</c> in <c>sdk/src/protocol.ts</c>; <c>GET /api/cards/limits</c>
/// publishes them).
/// </summary>
public static class StorageRules
{
    public const string UserScope = "user";
    public const string WorkspaceScope = "workspace";

    public const string ReadCapability = "storage:read";
    public const string WriteCapability = "storage:write";

    /// <summary>Writing the shared workspace scope: requested in the manifest, granted only by an admin.</summary>
    public const string WorkspaceWriteCapability = "storage:workspace-write";

    public const int MaxKeyChars = 256;
    public const int MaxValueBytes = 256 * 1024;
    public const int MaxListEntries = 1000;

    /// <summary>The default per-plugin quota of one scope (a person's user scope, or the workspace).</summary>
    public const long DefaultQuotaBytes = 10L * 1024 * 1024;

    public static bool IsScope(string? scope) => scope is UserScope or WorkspaceScope;

    /// <summary>Why <paramref name="key"/> cannot be a key, or null when it can.</summary>
    public static string? CheckKey(string? key, string what = "A key")
    {
        if (string.IsNullOrEmpty(key) || key.Length > MaxKeyChars)
        {
            return $"{what} is 1 to {MaxKeyChars} characters.";
        }

        for (var i = 0; i < key.Length; i++)
        {
            var c = key[i];
            if (char.IsControl(c))
            {
                return $"{what} has no control characters.";
            }

            if (char.IsHighSurrogate(c) && (i + 1 >= key.Length || !char.IsLowSurrogate(key[++i])))
            {
                return $"{what} is valid Unicode text.";
            }

            if (char.IsLowSurrogate(c))
            {
                return $"{what} is valid Unicode text.";
            }
        }

        return null;
    }

    /// <summary>What a stored item counts against its quota: its key and its value's UTF-8 JSON.</summary>
    public static long Charge(string key, int valueBytes) => System.Text.Encoding.UTF8.GetByteCount(key) + (long)valueBytes;
}
