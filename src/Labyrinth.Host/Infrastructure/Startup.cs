using Labyrinth.Host.Data;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Features.Plugins;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Labyrinth.Host.Infrastructure;

internal static partial class Startup
{
    public static IServiceCollection AddLabyrinthHost(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHostedService<StartTimelineMarks>();
        // The hosted services (queue writers, the seeder, the backup scheduler, the server) do not
        // wait on each other, so they start together; they still stop one after another, so the
        // queue writers drain before anything they need goes away.
        services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
        services.AddOptions<LabyrinthOptions>().Bind(configuration.GetSection(LabyrinthOptions.Section))
            .Validate(o => o.MaxPayloadBytes is > 0 and <= 16 * 1024 * 1024, "Labyrinth:MaxPayloadBytes must be between 1 byte and 16 MiB.")
            .Validate(o => o.LoginAttemptsPerMinute > 0, "Labyrinth:LoginAttemptsPerMinute must be positive.")
            .ValidateOnStart();
        services.AddSingleton<HostPaths>();
        services.AddProxyHeaders();
        services.AddSingleton<TimeProvider>(DatabaseClock.Instance);
        services.AddServerErrors(); // problem details with a traceId; unhandled exceptions logged with it
        // No "Server: Kestrel" on every response: it tells a scanner what to try and nothing else reads it.
        services.Configure<KestrelServerOptions>(o => o.AddServerHeader = false);
        services.AddExceptionHandler<StorageFullHandler>();
        services.AddRequestJson(); // request bodies: depth, no U+0000 in text, codes for what cannot be bound
        services.AddSingleton<AllowedMethods>(); // 405 with Allow for an API address asked with another method
        services.AddLabyrinthData(configuration);
        services.AddBlobStore(configuration);

        // Keys for auth cookies and the vault live with the data, so sign-ins and secrets survive
        // restarts. They are stored unencrypted on purpose (an encryption key would sit right beside
        // them) and protected by file modes instead; saying so explicitly (NullXmlEncryptor) replaces
        // the framework's "may be persisted unencrypted" warning with one plain sentence at start.
        services.AddDataProtection().SetApplicationName("Labyrinth");
        services.AddOptions<KeyManagementOptions>()
            .Configure<HostPaths>((o, paths) =>
            {
                paths.EnsureCreated();
                o.XmlRepository = new KeyRingRepository(paths.DataProtectionDir);
                o.XmlEncryptor = new NullXmlEncryptor();
            });
        return services;
    }

    /// <summary>Exit code of a start refused by <see cref="InitializeLabyrinthAsync"/> (sysexits' EX_CONFIG).</summary>
    public const int CannotStartExitCode = 78;

    /// <summary>
    /// Checks the data directory, migrates, installs the example plugins, and on first run prints the
    /// one-time setup URL. False when the host cannot start: the reason, one sentence saying which
    /// path, what is wrong and how to fix it, has been written to standard error (no stack trace).
    /// </summary>
    public static async Task<bool> InitializeLabyrinthAsync(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var paths = app.Services.GetRequiredService<HostPaths>();
        var problem = DataDirectoryCheck.Run(paths);
        if (problem is null)
        {
            try
            {
                await InitializeCoreAsync(app);
                return true;
            }
            catch (Exception ex) when (StorageErrors.IsFull(ex))
            {
                problem = $"The disk holding {paths.DataDir} is full, so the host cannot finish starting; free some space there and start again.";
            }
            catch (Exception ex) when (StorageErrors.IsReadOnly(ex))
            {
                problem = $"{paths.DatabaseFile} cannot be written (read-only file or file system); make it writable and start again.";
            }
        }

        await Console.Error.WriteLineAsync("Labyrinth cannot start: " + problem);
        return false;
    }

    private static async Task InitializeCoreAsync(WebApplication app)
    {
        // Instances sharing a database install the example plugins one after another (under the migration lock).
        var applied = await app.Services.MigrateLabyrinthDataAsync(async () =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            StartTimeline.Mark("schema checked / migrated");
            await scope.ServiceProvider.GetRequiredService<ExamplePlugins>().InstallAsync(CancellationToken.None);
            StartTimeline.Mark("example plugins checked / installed");
        });
        if (applied.Count > 0)
        {
            var migrationLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Labyrinth");
            var provider = app.Services.GetRequiredService<DatabaseEngine>().Provider;
            LogMigrated(migrationLog, applied.Count, provider, applied[^1]);
        }

        // Independent of each other once the plugins are installed: the catalogue is file and CPU
        // work, the rest database reads, so on two cores they overlap (and so does their JIT).
        var catalogue = Task.Run(async () =>
        {
            await app.Services.GetRequiredService<PluginCatalog>().ReloadAsync();
            StartTimeline.Mark("plugin catalogue loaded");
        });
        await app.Services.GetRequiredService<Features.Rollouts.PluginAccess>().ReloadAsync();
        StartTimeline.Mark("plugin access loaded");

        IssuedSetupToken? setupToken = null;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
            if (!await accounts.AnyUsersAsync(CancellationToken.None))
            {
                setupToken = await scope.ServiceProvider.GetRequiredService<SetupTokenService>().IssueOrReprintAsync(CancellationToken.None);
            }
        }

        StartTimeline.Mark("setup token checked");
        await catalogue;

        // After the framework's own start lines (their ApplicationStarted callback was registered
        // later, so it runs first): where to go, and on first run the setup link as its own block.
        var paths = app.Services.GetRequiredService<HostPaths>();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var readyLog = loggers.CreateLogger("Labyrinth");
        var setupLog = loggers.CreateLogger(SetupLogCategory);
        var timelineLog = loggers.CreateLogger(StartTimeline.LogCategory);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            StartTimeline.Mark("server listening");
            StartTimeline.Write(timelineLog, "Start timeline to listening");
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                          ?? "http://localhost:5080";
            address = address.Replace("://[::]", "://localhost", StringComparison.Ordinal).Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal)
                .Replace("://127.0.0.1", "://localhost", StringComparison.Ordinal).TrimEnd('/');
            LogReady(readyLog, address, paths.DataDir, paths.KeysDir, KeyProtection);
            if (setupToken is not null)
            {
                var setupUrl = $"{address}/setup#token={setupToken.Token}"; // a fragment: never sent, so never in a proxy's or the host's request log
                LogSetupLink(setupLog, setupUrl, setupToken.ExpiresAt);
            }
        });
    }

    /// <summary>The log category of the first-run setup link (tests and scripts read it from here).</summary>
    public const string SetupLogCategory = "Labyrinth.Setup";

    private static readonly string KeyProtection = OperatingSystem.IsWindows()
        ? "stored unencrypted, protected by the folder's permissions"
        : "stored unencrypted, readable only by this user (folders 700, files 600)";

    [LoggerMessage(EventId = 1, EventName = "Ready", Level = LogLevel.Information, Message =
        "Labyrinth is running at {Address}\n" +
        "  Data: {DataDir} (database, plugins, uploaded files)\n" +
        "  Keys: {KeysDir} — the sign-in and vault keys, {KeyProtection}. Back them up with the database and keep both private.")]
    private static partial void LogReady(ILogger logger, string address, string dataDir, string keysDir, string keyProtection);

    [LoggerMessage(EventId = 3, EventName = "Migrated", Level = LogLevel.Information, Message =
        "Applied {Count} database migration(s) on {Provider}; the schema is now at {Latest}")]
    private static partial void LogMigrated(ILogger logger, int count, DatabaseProvider provider, string latest);

    // A block of its own after the framework's start lines, so the one link that matters is not lost among them.
    [LoggerMessage(EventId = 2, EventName = "SetupLink", Level = LogLevel.Information, Message =
        "\n" +
        "════════════════════════════════════════════════════════════════════════\n" +
        "  First run: create the administrator account in your browser\n" +
        "\n" +
        "      {SetupUrl}\n" +
        "\n" +
        "  The link works once, until {ExpiresAt:yyyy-MM-dd HH:mm} UTC. Until the admin\n" +
        "  account exists, every start of any instance prints this same link;\n" +
        "  after it expires, a new one.\n" +
        "════════════════════════════════════════════════════════════════════════")]
    private static partial void LogSetupLink(ILogger logger, string setupUrl, DateTimeOffset expiresAt);
}
