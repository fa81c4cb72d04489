using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Labyrinth.Core.Broker;
using Labyrinth.Core.Errors;

namespace Labyrinth.Host.Features.Broker;

/// <summary>
/// Writes an upstream answer to the card as NDJSON: <c>{status, headers}</c>, then
/// <c>{chunk}</c> lines in arrival order (flushed one by one when streaming), then
/// <c>{end, bytes}</c> or <c>{error: {code, message}}</c>. The upstream body is counted and cut at
/// the service's cap, and scrubbed of the secret in case the upstream echoes it.
/// </summary>
internal sealed class BrokerStreamResult : IResult, IDisposable
{
    public const string ContentType = "application/x-ndjson; charset=utf-8";

    /// <summary>An answer that is not streamed goes out whenever this many bytes are waiting, and at its end.</summary>
    public const int FlushAbove = 32 * 1024;

    private const int ReadSize = 16 * 1024;

    private readonly HttpResponseMessage upstream;
    private readonly BrokerExchange exchange;
    private readonly SecretRedactor redactor;
    private readonly long maxBytes;
    private readonly bool flushEachChunk;
    private readonly CancellationTokenSource cancel;
    private readonly CancellationToken revoked;
    private readonly CancellationToken timedOut;

    public BrokerStreamResult(HttpResponseMessage upstream, BrokerExchange exchange, string secret, long maxBytes, bool flushEachChunk,
        CancellationTokenSource cancel, CancellationToken revoked, CancellationToken timedOut)
    {
        this.upstream = upstream;
        this.exchange = exchange;
        redactor = new SecretRedactor(secret);
        this.maxBytes = maxBytes;
        this.flushEachChunk = flushEachChunk;
        this.cancel = cancel;
        this.revoked = revoked;
        this.timedOut = timedOut;
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var status = (int)upstream.StatusCode;
        long bytes = 0;
        string? error = null;
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        var ct = cancel.Token;
        // Writes to the browser are never cancelled by the revoke/timeout token: Kestrel aborts the
        // connection when a write is cancelled half-way, and the card would see a reset instead of
        // the broker.revoked line. The token stops the upstream reads; each write checks it first.
        var write = httpContext.RequestAborted;
        var output = new NdjsonWriter(response.BodyWriter);
        try
        {
            var headers = BrokerHeaders.FilterResponse(upstream.Headers.Concat(upstream.Content.Headers));
            output.Line(w =>
            {
                w.WriteNumber("status", status);
                w.WriteStartObject("headers");
                foreach (var (k, v) in headers)
                {
                    // Allowed headers (openai-*, x-ratelimit-*) are upstream-chosen text too.
                    w.WriteString(k, redactor.RedactWhole(v));
                }

                w.WriteEndObject();
            });
            if (flushEachChunk)
            {
                await output.FlushAsync(write);
            }

            if (upstream.Content.Headers.ContentLength > maxBytes)
            {
                error = ErrorCodes.BrokerResponseTooLarge;
                await WriteErrorAsync(output, error, TooLargeMessage(), write);
                return;
            }

            // An upstream that refuses the credentials may quote them; its status says enough.
            var dropBody = status is 401 or 403 or 407;
            await using var body = await upstream.Content.ReadAsStreamAsync(ct);
            var decoder = Encoding.UTF8.GetDecoder();
            var buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
            var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(ReadSize));
            try
            {
                int n;
                while ((n = await body.ReadAsync(buffer.AsMemory(0, ReadSize), ct)) > 0)
                {
                    var over = bytes + n > maxBytes;
                    var take = over ? (int)(maxBytes - bytes) : n;
                    bytes += take;
                    if (!dropBody && take > 0)
                    {
                        var count = decoder.GetChars(buffer, 0, take, chars, 0, flush: false);
                        ct.ThrowIfCancellationRequested();
                        await WriteChunkAsync(output, redactor.Push(new string(chars, 0, count)), write);
                    }

                    if (over)
                    {
                        error = ErrorCodes.BrokerResponseTooLarge;
                        await WriteErrorAsync(output, error, TooLargeMessage(), write);
                        return;
                    }
                }

                if (!dropBody)
                {
                    var tail = decoder.GetChars([], 0, 0, chars, 0, flush: true);
                    ct.ThrowIfCancellationRequested();
                    await WriteChunkAsync(output, redactor.Push(new string(chars, 0, tail)) + redactor.Flush(), write);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
                ArrayPool<char>.Shared.Return(chars);
            }

            // Not flushed: the server sends what is left together with the end of the response
            // when this returns, one write to the socket instead of two.
            output.Line(w =>
            {
                w.WriteBoolean("end", true);
                w.WriteNumber("bytes", bytes);
            });
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
        {
            error = revoked.IsCancellationRequested ? ErrorCodes.BrokerRevoked
                : timedOut.IsCancellationRequested ? ErrorCodes.BrokerTimeout
                : httpContext.RequestAborted.IsCancellationRequested ? ErrorCodes.BrokerCancelled
                : ErrorCodes.BrokerUpstreamFailed;
            if (!httpContext.RequestAborted.IsCancellationRequested)
            {
                await TryWriteErrorAsync(output, error);
            }
        }
        finally
        {
            output.Dispose();
            exchange.Finish(status, bytes, error);
            Dispose();
        }
    }

    public void Dispose()
    {
        // Recorded once: a result that never ran ends as cancelled (no-op after ExecuteAsync).
        exchange.Finish((int)upstream.StatusCode, 0, ErrorCodes.BrokerCancelled);
        upstream.Dispose();
        cancel.Dispose();
    }

    private string TooLargeMessage() => $"The answer was cut: it is larger than {maxBytes:N0} bytes, this service's limit.";

    private static async Task TryWriteErrorAsync(NdjsonWriter output, string code)
    {
        var message = code switch
        {
            ErrorCodes.BrokerRevoked => "Network access for this card was revoked.",
            ErrorCodes.BrokerTimeout => "The service took longer than its time limit.",
            _ => "The service's answer broke off.",
        };
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await WriteErrorAsync(output, code, message, cts.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The client is gone; nothing to tell.
        }
    }

    // Flushed in both modes: an error ends the answer, and a revoke must reach the card at once.
    private static async Task WriteErrorAsync(NdjsonWriter output, string code, string message, CancellationToken ct)
    {
        output.Line(w =>
        {
            w.WriteStartObject("error");
            w.WriteString("code", code);
            w.WriteString("message", message);
            w.WriteEndObject();
        });
        await output.FlushAsync(ct);
    }

    // Streamed: each chunk goes out as it arrives. Not streamed: lines collect in the response
    // and go out in one piece, or whenever FlushAbove bytes are waiting (so a large answer is not
    // held in memory whole).
    private async Task WriteChunkAsync(NdjsonWriter output, string text, CancellationToken ct)
    {
        if (text.Length == 0)
        {
            return;
        }

        output.Line(w => w.WriteString("chunk", text));
        if (flushEachChunk || output.Unflushed >= FlushAbove)
        {
            await output.FlushAsync(ct);
        }
    }

    /// <summary>
    /// NDJSON lines written straight into the response's pipe with one reused JSON writer: a
    /// line costs no buffer of its own, and nothing reaches the socket until <see cref="FlushAsync"/>
    /// (or the end of the response).
    /// </summary>
    private sealed class NdjsonWriter(PipeWriter pipe) : IDisposable
    {
        private readonly Utf8JsonWriter json = new(pipe);

        /// <summary>Bytes written since the last flush.</summary>
        public long Unflushed { get; private set; }

        public void Line(Action<Utf8JsonWriter> write)
        {
            json.Reset(pipe);
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
            json.Flush();
            pipe.Write("\n"u8);
            Unflushed += json.BytesCommitted + 1;
        }

        public async Task FlushAsync(CancellationToken ct)
        {
            Unflushed = 0;
            var result = await pipe.FlushAsync(ct);
            if (result.IsCanceled)
            {
                throw new OperationCanceledException(ct);
            }
        }

        public void Dispose() => json.Dispose();
    }
}
