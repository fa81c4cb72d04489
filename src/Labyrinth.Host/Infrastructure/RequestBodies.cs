namespace Labyrinth.Host.Infrastructure;

/// <summary>Reading request bodies that must fit in memory, counting while reading (Content-Length is not trusted).</summary>
internal static class RequestBodies
{
    /// <summary>The whole body, or null as soon as it exceeds <paramref name="limit"/> bytes (the rest is not read).</summary>
    public static async Task<byte[]?> ReadCappedAsync(Stream body, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
