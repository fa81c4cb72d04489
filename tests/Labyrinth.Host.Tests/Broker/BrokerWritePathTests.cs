using System.IO.Pipelines;
using System.Net;
using System.Text;
using Labyrinth.Core.Messaging;
using Labyrinth.Host.Features.Broker;
using Labyrinth.Host.Features.Cards;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Tests.Broker;

/// <summary>
/// What one brokered call costs the machine besides its checks: how many writes its answer takes
/// to reach the client, and how its network-log / audit rows wait to be committed together.
/// </summary>
public sealed class BrokerWritePathTests
{
    private const string Secret = "sk-write-path-secret-0123456789";

    [Fact]
    public async Task NonStreamedAnswer_AllLines_ReachTheClientInOneWrite()
    {
        var (context, body) = Context();

        await Result(flushEachChunk: false).ExecuteAsync(context);
        Assert.Equal(0, body.Sends);
        await context.Features.Get<IHttpResponseBodyFeature>()!.CompleteAsync();

        var lines = body.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("{\"status\":200,", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"chunk\"", lines[1], StringComparison.Ordinal);
        Assert.Equal("{\"end\":true,\"bytes\":11}", lines[2]);
        Assert.Equal(1, body.Sends);
    }

    [Fact]
    public async Task StreamedAnswer_StatusLine_GoesOutBeforeTheBodyIsRead()
    {
        var (context, body) = Context();
        var upstreamBody = new GatedStream(Encoding.UTF8.GetBytes("data: hi\n\n"));
        var result = Result(flushEachChunk: true, new StreamContent(upstreamBody));

        var running = result.ExecuteAsync(context);
        await upstreamBody.ReadStarted.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.StartsWith("{\"status\":200,", body.Text, StringComparison.Ordinal);
        Assert.Equal(1, body.Sends);

        upstreamBody.Release.TrySetResult();
        await running.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("\"chunk\":\"data: hi\\n\\n\"", body.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordWriter_RowsQueuedDuringTheWindow_AreTakenWithTheFirst()
    {
        var timers = new ManualTimers();
        var recorder = Recorder(timers);
        Assert.True(recorder.Record(Row(1)));

        var waiting = recorder.WaitForBatchAsync(256, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.True(recorder.Record(Row(2)));
        Assert.True(recorder.Record(Row(3)));
        timers.FireAll();

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(3, recorder.Reader.Count);
    }

    [Fact]
    public async Task RecordWriter_StopBeginsDuringTheWindow_EndsTheWaitAtOnce()
    {
        var recorder = Recorder(new ManualTimers());
        Assert.True(recorder.TryAdmit());
        Assert.True(recorder.Record(Row(1)));

        var waiting = recorder.WaitForBatchAsync(256, CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        var drain = recorder.CloseAndDrainAsync(TimeSpan.FromSeconds(30));

        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(recorder.Reader.TryRead(out _));
        recorder.Committed(1);
        Assert.True(await drain);
    }

    [Fact]
    public async Task RecordWriter_FullBatchAlreadyQueued_DoesNotWait()
    {
        var recorder = Recorder(new ManualTimers());
        for (var i = 0; i < 4; i++)
        {
            Assert.True(recorder.Record(Row(i)));
        }

        var waiting = recorder.WaitForBatchAsync(4, CancellationToken.None);
        Assert.True(waiting.IsCompleted);
        Assert.True(await waiting);
    }

    private static BrokerRecorder Recorder(TimeProvider clock, int windowMilliseconds = 20) =>
        new(Options.Create(new BrokerOptions { BatchWindowMilliseconds = windowMilliseconds }), new BrokerMetrics(), clock, NullLogger<BrokerRecorder>.Instance);

    private static BrokerRecord Row(int i) =>
        new(DateTime.UtcNow, Guid.NewGuid(), "w" + i, Guid.NewGuid(), "member", "dev.test", "net", "fake", "GET", "/models", 200, 0, 0, 1, null, null, null, null);

    private static (DefaultHttpContext Context, CountingBody Body) Context()
    {
        var body = new CountingBody();
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpResponseBodyFeature>(body);
        return (context, body);
    }

    private static BrokerStreamResult Result(bool flushEachChunk, HttpContent? content = null)
    {
        var card = new CardInstance(Guid.NewGuid(), "w1", Guid.NewGuid(), "dev.test", "1.0.0", "net", "Net", ["network:fake"], new CardTopics([], []));
        var metrics = new BrokerMetrics();
        var recorder = Recorder(TimeProvider.System, windowMilliseconds: 0);
        Assert.True(recorder.TryAdmit());
        var exchange = new BrokerExchange(card, "member", "fake", serviceKnown: true, metrics, recorder, TimeProvider.System);
        var upstream = new HttpResponseMessage(HttpStatusCode.OK) { Content = content ?? new StringContent("{\"ok\":true}", Encoding.UTF8, "application/json") };
        return new BrokerStreamResult(upstream, exchange, Secret, 1 << 20, flushEachChunk, new CancellationTokenSource(), CancellationToken.None, CancellationToken.None);
    }

    /// <summary>Timers that fire only when the test says so: the batch window ends on cue.</summary>
    private sealed class ManualTimers : TimeProvider
    {
        private readonly List<ManualTimer> timers = [];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new ManualTimer(callback, state);
            lock (timers)
            {
                timers.Add(timer);
            }

            return timer;
        }

        public void FireAll()
        {
            ManualTimer[] due;
            lock (timers)
            {
                due = [.. timers];
                timers.Clear();
            }

            foreach (var timer in due)
            {
                timer.Fire();
            }
        }

        private sealed class ManualTimer(TimerCallback callback, object? state) : ITimer
        {
            public void Fire() => callback(state);

            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// The response as the server would send it: a "send" is a write to the response stream, or a
    /// flush (or the completion) of the response pipe with bytes waiting — each one a write to the
    /// socket and a wake-up of the client.
    /// </summary>
    private sealed class CountingBody : PipeWriter, IHttpResponseBodyFeature
    {
        private readonly MemoryStream received = new();
        private readonly PipeWriter inner;
        private long unflushed;

        public CountingBody()
        {
            inner = Create(received, new StreamPipeWriterOptions(leaveOpen: true));
            Stream = new SendStream(this);
        }

        public int Sends { get; private set; }

        public string Text => Encoding.UTF8.GetString(received.ToArray());

        public Stream Stream { get; }

        public PipeWriter Writer => this;

        public override void Advance(int bytes)
        {
            unflushed += bytes;
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => CompleteAsync(exception).AsTask().GetAwaiter().GetResult();

        public override async ValueTask CompleteAsync(Exception? exception = null)
        {
            CountSend();
            await inner.CompleteAsync(exception);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            CountSend();
            return inner.FlushAsync(cancellationToken);
        }

        public void DisableBuffering()
        {
        }

        public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task CompleteAsync() => CompleteAsync(null).AsTask();

        private void CountSend()
        {
            if (unflushed > 0)
            {
                Sends++;
                unflushed = 0;
            }
        }

        private sealed class SendStream(CountingBody body) : Stream
        {
            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

            public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            {
                await body.FlushAsync(cancellationToken);
                body.received.Write(buffer.Span);
                body.Sends++;
            }

            public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

            public override void Flush()
            {
            }

            public override Task FlushAsync(CancellationToken cancellationToken) => body.FlushAsync(cancellationToken).AsTask();

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();
        }
    }

    /// <summary>An upstream body that holds its bytes back until the test releases them.</summary>
    private sealed class GatedStream(byte[] data) : Stream
    {
        private int position;

        public TaskCompletionSource ReadStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ReadStarted.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            var n = Math.Min(buffer.Length, data.Length - position);
            data.AsMemory(position, n).CopyTo(buffer);
            position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
