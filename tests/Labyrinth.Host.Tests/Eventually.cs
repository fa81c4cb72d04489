namespace Labyrinth.Host.Tests;

/// <summary>
/// Waits for a condition by polling it, never by sleeping a guessed time: returns as soon as it
/// holds and fails after the timeout with what was last seen.
/// </summary>
internal static class Eventually
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static Task TrueAsync(Func<bool> condition, Func<string> lastSeen, TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), lastSeen, timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, Func<string> lastSeen, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(lastSeen);
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Timed out waiting; last seen: " + lastSeen());
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
