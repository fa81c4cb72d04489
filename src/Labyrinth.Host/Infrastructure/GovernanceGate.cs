namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// Serializes governance changes (imports, enable, kill, trust, policy) and backups, so
/// check-then-act decisions see a stable state.
/// </summary>
internal sealed class GovernanceGate
{
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Runs <paramref name="action"/> holding the gate.</summary>
    public async Task<T> RunAsync<T>(Func<Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(action);
        await Gate.WaitAsync();
        try
        {
            return await action();
        }
        finally
        {
            Gate.Release();
        }
    }
}
