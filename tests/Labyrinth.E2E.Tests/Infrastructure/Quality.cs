using System.Collections.Concurrent;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Labyrinth.E2E.Tests.Infrastructure;

/// <summary>One console message or uncaught error a page produced, with the document it came from.</summary>
public sealed record ConsoleEntry(string Kind, string Text, string Url)
{
    public override string ToString() => $"[{Kind}] {Text} ({Url})";
}

/// <summary>
/// Collects <c>console</c> errors and warnings and <c>pageerror</c>s of a page from the moment it
/// is attached. Card frames are other documents (sandboxed, on card origins); their messages are
/// kept apart so a check can be about the host page's own.
/// </summary>
public sealed class ConsoleWatch
{
    private readonly ConcurrentQueue<ConsoleEntry> _entries = new();
    private readonly string _hostOrigin;

    private ConsoleWatch(string hostOrigin) => _hostOrigin = hostOrigin;

    public static ConsoleWatch Attach(IPage page, string hostOrigin)
    {
        var watch = new ConsoleWatch(hostOrigin.TrimEnd('/'));
        page.Console += (_, msg) =>
        {
            if (msg.Type is "error" or "warning")
            {
                watch._entries.Enqueue(new ConsoleEntry(msg.Type, msg.Text, msg.Location ?? ""));
            }
        };
        page.PageError += (_, error) => watch._entries.Enqueue(new ConsoleEntry("pageerror", error, page.Url));
        return watch;
    }

    public IReadOnlyList<ConsoleEntry> All => _entries.ToArray();

    /// <summary>Messages of the host document: its origin, and not a card frame or plugin file.</summary>
    public IReadOnlyList<ConsoleEntry> Host => _entries.Where(IsHost).ToArray();

    public void Clear() => _entries.Clear();

    private bool IsHost(ConsoleEntry e)
    {
        if (!Uri.TryCreate(e.Url, UriKind.Absolute, out var url))
        {
            return true; // no location: count it, a page error has none
        }

        var path = url.AbsolutePath;
        return $"{url.Scheme}://{url.Authority}" == _hostOrigin
               && !path.StartsWith("/cap/", StringComparison.Ordinal)
               && !path.StartsWith("/cards/", StringComparison.Ordinal)
               && !path.StartsWith("/plugins/", StringComparison.Ordinal)
               && !path.StartsWith("/_frame/", StringComparison.Ordinal);
    }
}

/// <summary>
/// axe-core on the host document. Card frames are sandboxed documents of other (opaque) origins
/// that axe's frame messaging cannot reach, and their content is the plugin author's: the gate
/// covers the host UI around them (title bars, menus, panels, dialogs), not what a card draws.
/// </summary>
public static class AxeGate
{
    /// <summary>Runs axe and fails with every critical or serious violation, each with its nodes.</summary>
    public static async Task AssertNoSeriousViolationsAsync(IPage page, string what)
    {
        var result = await page.RunAxe(new AxeRunOptions { Iframes = false });
        var bad = result.Violations.Where(v => v.Impact is "critical" or "serious").ToList();
        Assert.True(bad.Count == 0, $"axe on {what}: {bad.Count} critical/serious violation(s)\n" + string.Join("\n", bad.Select(Describe)));
    }

    private static string Describe(AxeResultItem v) =>
        $"- {v.Id} ({v.Impact}): {v.Help}\n" + string.Join("\n", v.Nodes.Take(6).Select(n =>
            $"    {n.Target}: {Shorten(n.Html)} — {Shorten(string.Join("; ", n.Any.Concat(n.All).Concat(n.None).Select(c => c.Message)))}"));

    private static string Shorten(string? s) => s is null ? "" : s.Replace("\n", " ", StringComparison.Ordinal)[..Math.Min(s.Length, 300)];
}
