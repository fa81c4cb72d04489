using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.Routing.Template;

namespace Labyrinth.Host.Infrastructure;

/// <summary>
/// The methods the host's endpoints take at a path. The web app's fallback matches every method, so
/// routing never produces its own 405: a request that reaches the fallback is asked here whether
/// its address exists under another method (405 with <c>Allow</c>) or not at all (404).
/// </summary>
internal sealed class AllowedMethods(EndpointDataSource endpoints, IInlineConstraintResolver constraints)
{
    private sealed record Route(TemplateMatcher Matcher, RoutePattern Pattern, IReadOnlyList<string> Methods);

    // Built at the first refusal: endpoints are all mapped by then, and the happy path never pays.
    private readonly Lazy<Route[]> routes = new(() => endpoints.Endpoints
        .OfType<RouteEndpoint>()
        .Select(e => (Endpoint: e, Methods: e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods))
        .Where(e => e.Methods is { Count: > 0 })
        .Select(e => new Route(new TemplateMatcher(new RouteTemplate(e.Endpoint.RoutePattern), new RouteValueDictionary(e.Endpoint.RoutePattern.Defaults)), e.Endpoint.RoutePattern, e.Methods!))
        .ToArray());

    /// <summary>The methods some endpoint takes at this request's path, in a stable order; empty when none does.</summary>
    public IReadOnlyList<string> At(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var methods = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var route in routes.Value)
        {
            var values = new RouteValueDictionary();
            if (route.Matcher.TryMatch(http.Request.Path, values) && ConstraintsHold(http, route.Pattern, values))
            {
                methods.UnionWith(route.Methods);
            }
        }

        return [.. methods];
    }

    private bool ConstraintsHold(HttpContext http, RoutePattern pattern, RouteValueDictionary values)
    {
        foreach (var (name, policies) in pattern.ParameterPolicies)
        {
            foreach (var policy in policies)
            {
                var constraint = policy.ParameterPolicy as IRouteConstraint ?? (policy.Content is { } content ? constraints.ResolveConstraint(content) : null);
                if (constraint is not null && !constraint.Match(http, null, name, values, RouteDirection.IncomingRequest))
                {
                    return false;
                }
            }
        }

        return true;
    }
}

/// <summary>Marks the web app's catch-all route (<c>MapWebApp</c>): a request that reaches it has no endpoint of its own.</summary>
internal sealed class WebAppFallback;
