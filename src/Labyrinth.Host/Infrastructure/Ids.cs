using System.Security.Cryptography;

namespace Labyrinth.Host.Infrastructure;

internal static class Ids
{
    public static string NewWindowId() => "w_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Sha256Hex(string value) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
