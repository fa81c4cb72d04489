namespace Labyrinth.Host.Infrastructure;

/// <summary>Who did it, as the audit log and events name them.</summary>
internal static class Actors
{
    /// <summary>The signed-in person's user name ("unknown" only where no one is signed in).</summary>
    public static string Actor(this HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.User.Identity?.Name ?? "unknown";
    }
}
