using System.Diagnostics;

namespace Labyrinth.Testing;

/// <summary>
/// Waits for a condition by polling it, never by sleeping a guessed time: a test that sleeps
/// either wastes the time or fails on a slow machine. On timeout it fails with what it last saw,
/// so a red test says what the world looked like rather than "timed out".
/// </summary>
public static class Eventually
{
    /// <summary>How long a condition may take before the test fails (generous: CI machines are slow and shared).</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Polls <paramref name="probe"/> until <paramref name="done"/> holds for its value and returns that value.
    /// Throws <see cref="TimeoutException"/> naming <paramref name="what"/> and the last value (or exception) seen.
    /// </summary>
    /// <example><code>var row = await Eventually.ReachAsync(() => LoadRowAsync(), r => r is not null, "the audit row was written");</code></example>
    public static async Task<T> ReachAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(done);
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? DefaultTimeout;
        var last = "nothing yet";
        while (true)
        {
            try
            {
                var value = await probe();
                if (done(value))
                {
                    return value;
                }

                last = Describe(value);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                last = $"{e.GetType().Name}: {e.Message}";
            }

            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"Never happened within {limit.TotalSeconds:0.#} s: {what}. Last seen: {last}");
            }

            await Task.Delay(PollInterval);
        }
    }

    /// <summary>Polls until <paramref name="condition"/> is true.</summary>
    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null) =>
        ReachAsync(condition, ok => ok, what, timeout);

    /// <summary>Polls a synchronous condition until it is true (e.g. a captured log line arrived).</summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        ReachAsync(() => Task.FromResult(condition()), ok => ok, what, timeout);

    private static string Describe<T>(T value)
    {
        var text = value?.ToString() ?? "null";
        return text.Length > 2000 ? text[..2000] + "…" : text;
    }
}
