using Labyrinth.Core.Errors;
using Semver;

namespace Labyrinth.Core.Versioning;

/// <summary>An installed, enabled plugin version as the resolver sees it: dependencies map plugin id → npm-style range.</summary>
public sealed record PluginNode(string Id, SemVersion Version, IReadOnlyDictionary<string, string> Dependencies)
{
    public override string ToString() => $"{Id}@{Version}";
}

/// <summary>One reason a plugin cannot load; <see cref="Code"/> is a <c>dependency.*</c> code.</summary>
public sealed record DependencyProblem(string Code, string PluginId, string Message);

/// <summary>
/// <see cref="LoadOrder"/> holds every plugin that can load, dependencies first. A plugin with a
/// problem — and every plugin that depends on it, directly or not — is left out.
/// </summary>
public sealed record DependencyResolution(IReadOnlyList<PluginNode> LoadOrder, IReadOnlyList<DependencyProblem> Problems)
{
    public bool IsValid => Problems.Count == 0;
}

/// <summary>
/// Resolves plugin dependencies with npm range semantics (the Semver package) and orders loading
/// topologically. Ties are broken by ordinal id so the order is the same on every start.
/// </summary>
public static class DependencyResolver
{
    public static DependencyResolution Resolve(IEnumerable<PluginNode> plugins)
    {
        var byId = Index(plugins);
        var problems = new List<DependencyProblem>();
        var broken = new HashSet<string>(StringComparer.Ordinal);

        foreach (var node in byId.Values)
        {
            foreach (var (depId, rangeText) in node.Dependencies.OrderBy(d => d.Key, StringComparer.Ordinal))
            {
                var edge = $"{Chain(node, byId)} → {depId} ({rangeText})";
                if (!SemVersionRange.TryParseNpm(rangeText, out var range))
                {
                    problems.Add(new(ErrorCodes.DependencyInvalidRange, node.Id, $"{edge}: not a valid npm-style version range."));
                    broken.Add(node.Id);
                }
                else if (!byId.TryGetValue(depId, out var dep))
                {
                    problems.Add(new(ErrorCodes.DependencyMissing, node.Id, $"{edge}: not installed."));
                    broken.Add(node.Id);
                }
                else if (!range.Contains(dep.Version))
                {
                    problems.Add(new(ErrorCodes.DependencyUnsatisfied, node.Id, $"{edge}: installed {dep} does not satisfy it."));
                    broken.Add(node.Id);
                }
            }
        }

        foreach (var cycle in FindCycles(byId))
        {
            problems.Add(new(ErrorCodes.DependencyCycle, cycle[0], "Dependency cycle: " + string.Join(" → ", cycle) + "."));
            broken.UnionWith(cycle);
        }

        // Whatever depends on something that cannot load cannot load either.
        foreach (var id in broken.ToList())
        {
            broken.UnionWith(Dependents(byId.Values, id));
        }

        return new DependencyResolution(TopologicalOrder(byId, broken), problems);
    }

    /// <summary>
    /// Every plugin that depends on <paramref name="id"/>, directly or transitively, sorted by id:
    /// the plugins that stop working if it is disabled.
    /// </summary>
    public static IReadOnlyList<string> Dependents(IEnumerable<PluginNode> plugins, string id)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        ArgumentNullException.ThrowIfNull(id);
        var list = plugins.ToList();
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>([id]);
        while (queue.TryDequeue(out var current))
        {
            foreach (var node in list.Where(n => n.Dependencies.ContainsKey(current)))
            {
                if (node.Id != id && found.Add(node.Id))
                {
                    queue.Enqueue(node.Id);
                }
            }
        }

        return [.. found];
    }

    /// <summary>The sentence for refusing to disable <paramref name="id"/>, or null when nothing depends on it.</summary>
    public static string? DisableRefusal(IEnumerable<PluginNode> plugins, string id)
    {
        var dependents = Dependents(plugins, id);
        return dependents.Count == 0
            ? null
            : $"Disabling {id} is refused because {string.Join(", ", dependents)} depend{(dependents.Count == 1 ? "s" : "")} on it.";
    }

    private static SortedDictionary<string, PluginNode> Index(IEnumerable<PluginNode> plugins)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        var byId = new SortedDictionary<string, PluginNode>(StringComparer.Ordinal);
        foreach (var node in plugins)
        {
            if (!byId.TryAdd(node.Id, node))
            {
                throw new ArgumentException($"Plugin {node.Id} appears twice; pass one (the active) version per id.", nameof(plugins));
            }
        }

        return byId;
    }

    /// <summary>
    /// "root@1.0.0 → … → node@x": one path of dependents leading to <paramref name="node"/>, so a
    /// missing dependency deep down names the plugin the admin actually installed.
    /// </summary>
    private static string Chain(PluginNode node, SortedDictionary<string, PluginNode> byId)
    {
        var path = new List<PluginNode> { node };
        var seen = new HashSet<string>(StringComparer.Ordinal) { node.Id };
        var current = node;
        while (byId.Values.FirstOrDefault(n => n.Dependencies.ContainsKey(current.Id) && !seen.Contains(n.Id)) is { } parent)
        {
            path.Insert(0, parent);
            seen.Add(parent.Id);
            current = parent;
        }

        return string.Join(" → ", path);
    }

    /// <summary>
    /// One cycle per strongly connected component (Tarjan), written from the component's smallest
    /// id back to itself, e.g. ["a", "b", "c", "a"].
    /// </summary>
    private static List<List<string>> FindCycles(SortedDictionary<string, PluginNode> byId)
    {
        List<string> Edges(string id) => [.. byId[id].Dependencies.Keys.Where(byId.ContainsKey).Order(StringComparer.Ordinal)];

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var cycles = new List<List<string>>();
        var counter = 0;

        void Connect(string v)
        {
            index[v] = low[v] = counter++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in Edges(v))
            {
                if (!index.TryGetValue(w, out var wIndex))
                {
                    Connect(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], wIndex);
                }
            }

            if (low[v] != index[v])
            {
                return;
            }

            var component = new HashSet<string>(StringComparer.Ordinal);
            string popped;
            do
            {
                popped = stack.Pop();
                onStack.Remove(popped);
                component.Add(popped);
            }
            while (popped != v);

            var start = component.Min(StringComparer.Ordinal)!;
            if (component.Count > 1 || Edges(start).Contains(start))
            {
                cycles.Add(CycleFrom(start, component, Edges));
            }
        }

        foreach (var id in byId.Keys)
        {
            if (!index.ContainsKey(id))
            {
                Connect(id);
            }
        }

        return [.. cycles.OrderBy(c => c[0], StringComparer.Ordinal)];
    }

    /// <summary>Breadth-first search inside one component for the shortest way back to <paramref name="start"/>.</summary>
    private static List<string> CycleFrom(string start, HashSet<string> component, Func<string, List<string>> edges)
    {
        var parent = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var v))
        {
            foreach (var w in edges(v).Where(component.Contains))
            {
                if (w == start)
                {
                    var path = new List<string>();
                    for (var at = v; at != start; at = parent[at])
                    {
                        path.Insert(0, at);
                    }

                    return [start, .. path, start];
                }

                if (parent.TryAdd(w, v))
                {
                    queue.Enqueue(w);
                }
            }
        }

        throw new InvalidOperationException("A strongly connected component always contains a cycle.");
    }

    private static List<PluginNode> TopologicalOrder(SortedDictionary<string, PluginNode> byId, HashSet<string> excluded)
    {
        var remaining = byId.Values.Where(n => !excluded.Contains(n.Id)).ToDictionary(n => n.Id, StringComparer.Ordinal);
        var pending = remaining.Values.ToDictionary(n => n.Id, n => n.Dependencies.Keys.Count(remaining.ContainsKey), StringComparer.Ordinal);
        var ready = new SortedSet<string>(pending.Where(p => p.Value == 0).Select(p => p.Key), StringComparer.Ordinal);
        var order = new List<PluginNode>();
        while (ready.Min is { } next)
        {
            ready.Remove(next);
            order.Add(remaining[next]);
            foreach (var dependent in remaining.Values.Where(n => n.Dependencies.ContainsKey(next)))
            {
                if (--pending[dependent.Id] == 0)
                {
                    ready.Add(dependent.Id);
                }
            }
        }

        return order;
    }
}
