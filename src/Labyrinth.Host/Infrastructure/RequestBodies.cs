using System.Buffers;

namespace Labyrinth.Host.Infrastructure;

/// <summary>Reading request bodies that must fit in memory, counting while reading (Content-Length is not trusted).</summary>
internal static class RequestBodies
{
    /// <summary>
    /// A declared length up to this is read straight into an array of that size (no growing buffer, no copy). It bounds what a
    /// request that declares a length and then stalls can make the host hold before sending a byte
    /// (the streamed path below allocated a chunk of this size up front too).
    /// </summary>
    private const int ExactUpTo = 16 * 1024;

    /// <summary>
    /// The whole body, or null when it exceeds <paramref name="limit"/> bytes: at once when the
    /// declared Content-Length does (nothing is read), otherwise as soon as the bytes read do (the
    /// rest is not read). A small declared body is read into one array of its size; Kestrel never
    /// hands out more than the declared length.
    /// </summary>
    public static async Task<byte[]?> ReadCappedAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength is { } declared)
        {
            if (declared > limit)
            {
                return null;
            }

            if (declared <= ExactUpTo)
            {
                var body = new byte[declared];
                var filled = 0;
                while (filled < body.Length)
                {
                    var read = await request.Body.ReadAsync(body.AsMemory(filled), ct);
                    if (read == 0)
                    {
                        // Ended early (Kestrel refuses this itself): what arrived, as the streamed path returns.
                        return body[..filled];
                    }

                    filled += read;
                }

                return body;
            }
        }

        return await ReadCappedAsync(request.Body, limit, ct);
    }

    /// <summary>The whole body, or null as soon as it exceeds <paramref name="limit"/> bytes (the rest is not read).</summary>
    public static async Task<byte[]?> ReadCappedAsync(Stream body, int limit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(ExactUpTo);
        try
        {
            int read;
            while ((read = await body.ReadAsync(chunk.AsMemory(0, ExactUpTo), ct)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return buffer.ToArray();
    }
}
