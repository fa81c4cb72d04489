namespace Labyrinth.Core.Errors;

/// <summary>
/// The catalogue of stable error codes. Clients switch on <c>code</c>, people read <c>detail</c>;
/// a code never changes meaning once shipped.
/// </summary>
public static class ErrorCodes
{
    public const string ValidationFailed = "request.invalid";
    public const string CsrfMissingHeader = "csrf.missing_header";
    public const string CsrfCrossSite = "csrf.cross_site";

    public const string SetupInvalidToken = "setup.invalid_token";
    public const string SetupAlreadyDone = "setup.already_done";
    public const string AuthInvalidCredentials = "auth.invalid_credentials";
    public const string AuthRateLimited = "auth.rate_limited";
    public const string UserExists = "user.exists";

    public const string BoardNotFound = "board.not_found";
    public const string BoardVersionConflict = "board.version_conflict";
    public const string BoardPreconditionRequired = "board.precondition_required";
    public const string BoardInvalidLayout = "board.invalid_layout";
    public const string WindowNotFound = "window.not_found";

    public const string SpawnUnknownKind = "spawn.unknown_kind";
    public const string SpawnPluginNotFound = "spawn.plugin_not_found";
    public const string SpawnPluginDisabled = "spawn.plugin_disabled";
    public const string SpawnCardNotFound = "spawn.card_not_found";
    public const string SpawnInvalidProps = "spawn.invalid_props";

    public const string PayloadTooLarge = "payload.too_large";
    public const string PayloadInvalid = "payload.invalid";

    public const string ManifestInvalid = "manifest.invalid";
    public const string PluginFileNotFound = "plugin.file_not_found";
}
