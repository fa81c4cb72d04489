namespace Labyrinth.Core.Errors;

/// <summary>
/// The catalogue of stable error codes. Clients switch on <c>code</c>, people read <c>detail</c>;
/// a code never changes meaning once shipped.
/// </summary>
public static class ErrorCodes
{
    public const string ValidationFailed = "request.invalid";

    /// <summary>413: the request body is over the server's limit for any request (Kestrel's MaxRequestBodySize); nothing was read or done.</summary>
    public const string RequestTooLarge = "request.too_large";

    /// <summary>405: the address exists but does not take this method; the <c>Allow</c> header lists the ones it takes.</summary>
    public const string MethodNotAllowed = "request.method_not_allowed";

    /// <summary>415: the body is not in a format this address reads (a JSON endpoint sent text/plain or a form).</summary>
    public const string UnsupportedMediaType = "request.unsupported_media_type";

    /// <summary>500: an unexpected failure on the server; <c>traceId</c> names its line in the server's log.</summary>
    public const string ServerError = "server.error";

    /// <summary>The disk holding the data directory (or the database) is full: nothing was saved.</summary>
    public const string StorageFull = "storage.full";

    /// <summary>503: the action must reach every server instance (install, kill, governance, a rate-limited call) and this instance cannot reach Redis; nothing was done.</summary>
    public const string ClusterUnavailable = "cluster.unavailable";

    /// <summary>503: a change that offers something new (install, enable, upgrade, rollback, rollout) was abandoned because a live server instance could not load it or did not answer in time; nothing was changed anywhere.</summary>
    public const string ClusterNotPrepared = "cluster.not_prepared";
    public const string CsrfMissingHeader = "csrf.missing_header";
    public const string CsrfCrossSite = "csrf.cross_site";

    public const string SetupInvalidToken = "setup.invalid_token";
    public const string SetupAlreadyDone = "setup.already_done";
    public const string AuthInvalidCredentials = "auth.invalid_credentials";
    public const string AuthRateLimited = "auth.rate_limited";
    public const string AuthAccountDisabled = "auth.account_disabled";
    public const string AuthWrongPassword = "auth.wrong_password";
    public const string UserExists = "user.exists";
    public const string UserNotFound = "user.not_found";

    /// <summary>The change would leave the host without an enabled administrator.</summary>
    public const string UserLastAdmin = "user.last_admin";

    public const string BoardNotFound = "board.not_found";
    public const string BoardVersionConflict = "board.version_conflict";
    public const string BoardPreconditionRequired = "board.precondition_required";
    public const string BoardInvalidLayout = "board.invalid_layout";

    /// <summary>Every card route's 404: no such card, not a plugin window, or not on a board of the caller's (one body for all).</summary>
    public const string CardNotFound = "card.not_found";

    public const string SpawnUnknownKind = "spawn.unknown_kind";
    public const string SpawnPluginNotFound = "spawn.plugin_not_found";
    public const string SpawnPluginDisabled = "spawn.plugin_disabled";
    public const string SpawnCardNotFound = "spawn.card_not_found";
    public const string SpawnInvalidProps = "spawn.invalid_props";

    public const string PayloadTooLarge = "payload.too_large";
    public const string PayloadInvalid = "payload.invalid";

    public const string ManifestInvalid = "manifest.invalid";
    public const string PluginFileNotFound = "plugin.file_not_found";

    /// <summary>Nothing is served at this address on this origin (e.g. the API on a card origin, a plugin file on the host origin).</summary>
    public const string RouteNotFound = "route.not_found";

    // Package import: one code per refusal reason so metrics can count rejections by reason.
    public const string PackageMalformed = "package.malformed";
    public const string PackageUnsupported = "package.unsupported";
    public const string PackageTooLarge = "package.too_large";
    public const string PackageTooManyEntries = "package.too_many_entries";
    public const string PackageRatioExceeded = "package.ratio_exceeded";
    public const string PackageInvalidName = "package.invalid_name";
    public const string PackageSymlink = "package.symlink";
    public const string PackageDuplicateName = "package.duplicate_name";
    public const string PackageExtensionNotAllowed = "package.extension_not_allowed";
    public const string PackageOverlappingEntries = "package.overlapping_entries";
    public const string PackageSizeMismatch = "package.size_mismatch";
    public const string PackageCrcMismatch = "package.crc_mismatch";
    public const string PackageHeaderMismatch = "package.header_mismatch";
    public const string PackageManifestMissing = "package.manifest_missing";
    public const string PackageManifestTooLarge = "package.manifest_too_large";

    public const string SignatureMissing = "signature.missing";
    public const string SignatureInvalid = "signature.invalid";
    public const string SignatureUntrustedKey = "signature.untrusted_key";
    public const string SignatureTampered = "signature.tampered";

    public const string VersionImmutable = "version.immutable";
    public const string VersionDowngrade = "version.downgrade";
    public const string DependencyMissing = "dependency.missing";
    public const string DependencyUnsatisfied = "dependency.unsatisfied";
    public const string DependencyCycle = "dependency.cycle";
    public const string DependencyInvalidRange = "dependency.invalid_range";
    public const string DependencyRequired = "dependency.required_by_others";

    public const string AuditTampered = "audit.tampered";

    // Governance (host side).
    public const string SpawnPluginKilled = "spawn.plugin_killed";
    public const string PluginKilled = "plugin.killed";
    public const string PluginNotFound = "plugin.not_found";

    /// <summary>A development install (labyrinth plugin dev) on a host whose Labyrinth:Plugins:AllowDevInstalls is off.</summary>
    public const string DevInstallsOff = "plugin.dev_installs_off";

    /// <summary>A development install whose version is not <c>x.y.z-dev.N</c>.</summary>
    public const string DevVersionRequired = "plugin.dev_version_required";
    // CSP violation reports a card frame's browser sends to its card origin (the developer overlay).
    /// <summary>No such report address: the plugin version is not served here, or the host did not issue that token.</summary>
    public const string CspReportUnknown = "csp_report.unknown";

    /// <summary>Only application/csp-report and application/reports+json are accepted.</summary>
    public const string CspReportUnsupportedType = "csp_report.unsupported_type";

    public const string CspReportTooLarge = "csp_report.too_large";
    public const string CspReportMalformed = "csp_report.malformed";

    /// <summary>The plugin version sent more reports than the host keeps; these were dropped.</summary>
    public const string CspReportRateLimited = "csp_report.rate_limited";

    /// <summary>CSP reports are shown to admins, and to anyone for a development version.</summary>
    public const string CspReportsForbidden = "csp_report.forbidden";
    public const string VersionNotFound = "version.not_found";
    public const string VersionInvalid = "version.invalid";
    public const string TrustInvalidKey = "trust.invalid_key";
    public const string TrustKeyExists = "trust.key_exists";
    public const string TrustKeyNotFound = "trust.key_not_found";
    public const string PolicyInvalid = "policy.invalid";
    public const string TokenNotFound = "token.not_found";

    /// <summary>The person already holds the most access tokens one account may have; they revoke one first.</summary>
    public const string TokenTooMany = "token.too_many";
    public const string AuthInvalidToken = "auth.invalid_token";

    // Themes.
    public const string ThemeInvalid = "theme.invalid";
    public const string ThemeNotFound = "theme.not_found";
    public const string ThemeFileNotAllowed = "theme.file_not_allowed";
    public const string ThemePreviewInvalid = "theme.invalid_preview";

    // Card Security Contract runtime (host side): open cap, grants, snapshots, File Registry.
    public const string CardTooManyOpen = "card.too_many_open";
    public const string GrantNotRequested = "grant.not_requested";
    public const string SnapshotTooLarge = "snapshot.too_large";
    public const string SnapshotInvalid = "snapshot.invalid";
    public const string SnapshotNotFound = "snapshot.not_found";
    public const string AssetNotFound = "asset.not_found";
    public const string AssetTokenInvalid = "asset.token_invalid";
    public const string AssetTypeUnknown = "asset.type_unknown";
    public const string AssetNameInvalid = "asset.name_invalid";
    public const string AssetTooLarge = "asset.too_large";
    public const string CardPluginStopped = "card.plugin_stopped";
    public const string CardUpgradeUnavailable = "card.upgrade_unavailable";

    // Vault, services and the network broker.
    public const string SecretExists = "secret.exists";
    public const string SecretNotFound = "secret.not_found";
    public const string ServiceExists = "service.exists";
    public const string ServiceNotFound = "service.not_found";
    public const string BrokerNotRequested = "broker.not_requested";
    public const string BrokerNotGranted = "broker.not_granted";
    public const string BrokerServiceUnavailable = "broker.service_unavailable";
    public const string BrokerNotConfigured = "broker.not_configured";
    public const string BrokerMethodNotAllowed = "broker.method_not_allowed";
    public const string BrokerPathInvalid = "broker.path_invalid";
    public const string BrokerPathNotAllowed = "broker.path_not_allowed";
    public const string BrokerHeaderInvalid = "broker.header_invalid";
    public const string BrokerHeaderForbidden = "broker.header_forbidden";
    public const string BrokerBodyNotAllowed = "broker.body_not_allowed";
    public const string BrokerStreamingNotAllowed = "broker.streaming_not_allowed";
    public const string BrokerRequestTooLarge = "broker.request_too_large";
    public const string BrokerRateLimited = "broker.rate_limited";
    public const string BrokerAddressForbidden = "broker.address_forbidden";
    public const string BrokerRedirectRefused = "broker.redirect_refused";
    public const string BrokerUpstreamFailed = "broker.upstream_failed";
    public const string BrokerTimeout = "broker.timeout";
    public const string BrokerResponseTooLarge = "broker.response_too_large";
    public const string BrokerRevoked = "broker.revoked";
    public const string BrokerCancelled = "broker.cancelled";

    /// <summary>503: the host is behind on writing earlier calls' network log and audit rows; nothing was sent upstream.</summary>
    public const string BrokerBusy = "broker.busy";

    /// <summary>
    /// Never an answer: the network-log error of a call whose rows the database refused as they
    /// were, stored escaped, the originals in its audit entry (docs/operations.md, "Quarantined broker rows").
    /// </summary>
    public const string BrokerRecordQuarantined = "broker.record_quarantined";

    // Workspace message bus (docs/api.md "Message bus"). The first four are also what a card sees,
    // without the "bus." prefix, when its own page refuses the same message.
    public const string BusTopicNotDeclared = "bus.topic_not_declared";
    public const string BusNotGranted = "bus.not_granted";
    public const string BusTooLarge = "bus.too_large";
    public const string BusRateLimited = "bus.rate_limited";
    public const string BusInvalid = "bus.invalid";
    public const string BusNoResponder = "bus.no_responder";
    public const string BusTimeout = "bus.timeout";
    public const string BusResponderFailed = "bus.responder_failed";
    public const string BusNotMember = "bus.not_member";
    public const string BusMemberNotFound = "bus.member_not_found";
    public const string BusPluginStopped = "bus.plugin_stopped";

    // Plugin APIs (call(pluginId, method, input)): what a caller sees, with problems (JSON pointers)
    // for invalid_input and invalid_output.
    public const string ApiNotGranted = "api.not_granted";
    public const string ApiUnknownMethod = "api.unknown_method";
    public const string ApiInvalidInput = "api.invalid_input";
    public const string ApiInvalidOutput = "api.invalid_output";
    public const string ApiTimeout = "api.timeout";
    public const string ApiProviderFailed = "api.provider_failed";
    public const string ApiProviderUnavailable = "api.provider_unavailable";
    public const string ApiRateLimited = "api.rate_limited";
    public const string ApiTooLarge = "api.too_large";
    public const string ApiInvalid = "api.invalid";

    // Background services and plugin logs.
    public const string ServiceNotRunning = "service.not_running";
    public const string ServiceInstanceUnavailable = "service.instance_unavailable";
    public const string LogInvalid = "log.invalid";

    // Plugin pages.
    public const string PageNotFound = "page.not_found";
    public const string PageNotAllowed = "page.not_allowed";

    // Backups.
    public const string BackupFailed = "backup.failed";

    /// <summary>The host runs on PostgreSQL: the archive reads the SQLite file, so the database is backed up with pg_dump instead.</summary>
    public const string BackupNotForThisDatabase = "backup.not_for_this_database";

    // Ink on boards and selections shared with cards (Convert to Math).
    public const string InkInvalidStroke = "ink.invalid_stroke";
    public const string InkTooManyPoints = "ink.too_many_points";
    public const string InkBatchTooLarge = "ink.batch_too_large";
    public const string InkBoardFull = "ink.board_full";
    public const string InkStrokeExists = "ink.stroke_exists";
    public const string InkStrokeConflict = "ink.stroke_conflict";
    public const string SelectionInvalid = "selection.invalid";
    public const string SelectionTooLarge = "selection.too_large";
    public const string SelectionNotFound = "selection.not_found";

    // Groups, per-group availability and staged rollouts.
    public const string GroupNotFound = "group.not_found";
    public const string GroupInvalidName = "group.invalid_name";
    public const string GroupNameTaken = "group.name_taken";
    public const string GroupTooMany = "group.too_many";
    public const string GroupUserNotFound = "group.user_not_found";
    public const string AvailabilityInvalid = "availability.invalid";

    /// <summary>The plugin is limited to groups the caller is not in: it is not offered, spawned, opened or served to them.</summary>
    public const string PluginNotAvailable = "plugin.not_available";
    public const string RolloutInvalid = "rollout.invalid";
    public const string RolloutNotFound = "rollout.not_found";
    public const string RolloutInProgress = "rollout.in_progress";

    // Plugin configuration (configSchema) and plugin storage.
    /// <summary>A saved configuration does not fit the plugin's schema; <c>problems</c> point at each field.</summary>
    public const string ConfigInvalid = "config.invalid";

    /// <summary>The plugin declares no <c>configSchema</c>, so there is nothing to configure.</summary>
    public const string ConfigNone = "config.none";

    /// <summary><c>ifRevision</c> is not the saved revision: someone saved the settings after the form was loaded; nothing changed.</summary>
    public const string ConfigRevisionConflict = "config.revision_conflict";

    /// <summary>A storage request is malformed: unknown scope or operation, a key that is empty, too long or has control characters.</summary>
    public const string StorageInvalid = "storage.invalid";

    /// <summary>A stored value is more than 256 KiB of JSON.</summary>
    public const string StorageTooLarge = "storage.too_large";

    /// <summary>The write would take the plugin's scope over its quota; nothing was written.</summary>
    public const string StorageQuotaExceeded = "storage.quota_exceeded";

    /// <summary><c>ifVersion</c> did not match the stored version (another tab wrote first); nothing changed.</summary>
    public const string StorageVersionConflict = "storage.version_conflict";

    /// <summary>The card or service does not hold the storage capability the operation needs.</summary>
    public const string StorageNotGranted = "storage.not_granted";
}
