using Microsoft.Playwright;

namespace Labyrinth.E2E.Tests.Infrastructure;

/// <summary>
/// Assembly-wide: one Playwright, one headless Chromium (Debian's, never downloaded), and one
/// shared host whose admin was created through the first-run setup page. Tests that need a
/// first run of their own start a <see cref="LabyrinthServer"/> themselves.
/// </summary>
public sealed class E2EEnvironment : IAsyncLifetime
{
    public const string AdminUser = "admin";
    public const string AdminPassword = "correct horse battery";

    public static readonly string ScreenshotDir = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "screenshots"));

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public LabyrinthServer Server { get; private set; } = null!;

    /// <summary>Cookies of the signed-in admin on <see cref="Server"/>.</summary>
    public string AdminStorageState { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Directory.CreateDirectory(ScreenshotDir);
        _playwright = await Playwright.CreateAsync();
        Assertions.SetDefaultExpectTimeout(15_000);
        Browser = await LaunchAsync();
        Server = LabyrinthServer.StartNew();
        var context = await NewContextAsync(Server);
        try
        {
            var page = await context.NewPageAsync();
            await Ui.CompleteSetupAsync(page, await Server.SetupUrlAsync(), AdminUser, AdminPassword);
            AdminStorageState = await context.StorageStateAsync();
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    /// <summary>
    /// Headless Debian Chromium; tests whose cards hang get a browser of their own, and tests that
    /// need a browser feature pass its flags (e.g. a SwiftShader WebGPU adapter).
    /// </summary>
    public Task<IBrowser> LaunchAsync(params string[] extraArgs) => _playwright!.Chromium.LaunchAsync(new()
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Timeout = 30_000,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", .. extraArgs],
    });

    /// <summary>A fresh browser context (no cookies) with explicit timeouts, so a hung frame fails fast.</summary>
    public async Task<IBrowserContext> NewContextAsync(LabyrinthServer server, bool signedIn = false, IBrowser? browser = null)
    {
        var context = await (browser ?? Browser).NewContextAsync(new()
        {
            BaseURL = server.BaseUrl,
            ViewportSize = new() { Width = 1280, Height = 800 },
            StorageState = signedIn ? AdminStorageState : null,
        });
        context.SetDefaultTimeout(10_000);
        context.SetDefaultNavigationTimeout(15_000);
        return context;
    }

    /// <summary>A signed-in admin page on the shared server.</summary>
    public async Task<(IBrowserContext Context, IPage Page)> AdminPageAsync()
    {
        var context = await NewContextAsync(Server, signedIn: true);
        var page = await context.NewPageAsync();
        return (context, page);
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }
}
