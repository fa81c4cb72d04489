using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Labyrinth.Backup;
using Labyrinth.Host.Features.Assets;
using Labyrinth.Host.Features.Backup;
using Labyrinth.Host.Tests.Cards;
using Microsoft.Extensions.DependencyInjection;

namespace Labyrinth.Host.Tests.Backup;

/// <summary>Admin → Backups over HTTP: who may download, how it is served and audited, and what the status shows.</summary>
public sealed class BackupApiTests
{
    private const string Download = "/api/admin/backups/download";

    [Fact]
    public async Task BackupDownload_Anonymous_Returns401()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        _ = await app.SetupAdminAsync();
        var anonymous = await app.CreateClientAsync();

        using var response = await anonymous.GetAsync(Download);

        await Expect.StatusAsync(HttpStatusCode.Unauthorized, response);
    }

    [Fact]
    public async Task BackupDownload_Member_Returns403AndAuditsNothing()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var member = await app.CreateMemberAsync("mallory", admin);

        using var response = await member.GetAsync(Download);
        using var status = await member.GetAsync("/api/admin/backups");

        await Expect.StatusAsync(HttpStatusCode.Forbidden, response);
        await Expect.StatusAsync(HttpStatusCode.Forbidden, status);
        var audit = await admin.GetJsonAsync("/api/admin/audit?action=backup.download");
        Assert.Equal(0, audit.GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("cross-site")]
    [InlineData("same-site")]
    public async Task BackupDownload_StartedByAnotherSite_Returns403(string site)
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, Download) { Headers = { { "Sec-Fetch-Site", site } } };

        using var response = await admin.SendAsync(request);

        await Expect.ProblemAsync(HttpStatusCode.Forbidden, "csrf.cross_site", response);
        var audit = await admin.GetJsonAsync("/api/admin/audit?action=backup.download");
        Assert.Equal(0, audit.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task BackupDownload_Admin_IsStreamedAsAnAttachmentThatVerifies()
    {
        await using var app = new LabyrinthApp(new Dictionary<string, string?> { ["Labyrinth:ExamplePluginsDir"] = "" }, kestrel: true);
        var admin = await app.SetupAdminAsync();
        await CardsApp.UploadAsync(admin, CardsApp.Png);
        using var request = new HttpRequestMessage(HttpMethod.Get, Download) { Headers = { { "Sec-Fetch-Site", "same-origin" } } };

        using var response = await admin.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Matches("^attachment; filename=\"labyrinth-backup-\\d{8}T\\d{6}Z\\.zip\"$", response.Content.Headers.ContentDisposition?.ToString());
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString());
        // Streamed as it is written: no length known up front, sent in chunks.
        Assert.Null(response.Content.Headers.ContentLength);
        Assert.True(response.Headers.TransferEncodingChunked);

        var path = Path.Combine(Path.GetTempPath(), "labyrinth-download-" + Guid.NewGuid().ToString("N") + ".zip");
        try
        {
            await using (var file = File.Create(path))
            {
                await response.Content.CopyToAsync(file);
            }

            var verification = await BackupVerifier.VerifyAsync(path, null, TestContext.Current.CancellationToken);
            Assert.True(verification.IsValid, string.Join("\n", verification.Problems.Select(p => p.Message)));
            Assert.Equal(1, verification.Manifest!.Counts.Assets);
            Assert.StartsWith("labyrinth-host ", verification.Manifest.CreatedBy);
            // Audited before the first byte, so the archive carries the record of its own download.
            var last = verification.Contents!.Audit[^1];
            Assert.Equal((BackupAuditActions.Download, LabyrinthApp.AdminName), (last.Action, last.Actor));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task BackupDownload_PersonalAccessToken_IsServed()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        using var created = await admin.PostAsJsonAsync("/api/tokens", new { name = "backups" });
        await Expect.StatusAsync(HttpStatusCode.Created, created);
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        using var script = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, Download) { Headers = { { "Authorization", "Bearer " + token } } };

        using var response = await script.SendAsync(request);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task BackupStatus_AfterADownload_ShowsTheLastBackup()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var before = await admin.GetJsonAsync("/api/admin/backups");

        var bytes = await admin.GetByteArrayAsync(Download);
        var after = await admin.GetJsonAsync("/api/admin/backups");

        Assert.Equal(JsonValueKind.Null, before.GetProperty("last").ValueKind);
        Assert.Equal(JsonValueKind.Null, before.GetProperty("schedule").ValueKind);
        var last = after.GetProperty("last");
        Assert.Equal("download", last.GetProperty("kind").GetString());
        Assert.Equal(LabyrinthApp.AdminName, last.GetProperty("by").GetString());
        Assert.Equal(bytes.Length, last.GetProperty("bytes").GetInt64());
        Assert.InRange(last.GetProperty("at").GetDateTime(), DateTime.UtcNow.AddMinutes(-5), DateTime.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task AssetDeletedWhileABackupRuns_FileStaysUntilTheBackupEnds()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var asset = await CardsApp.UploadAsync(admin, CardsApp.Png);
        var store = app.Services.GetRequiredService<AssetStore>();
        var file = store.PathFor(await ShaOfAsync(app, asset.Id()));

        var pin = await app.Services.GetRequiredService<HostBackupGuard>().PinBlobsAsync(TestContext.Current.CancellationToken);
        using (var delete = await admin.DeleteAsync($"/api/assets/{asset.Id()}"))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, delete);
        }

        var keptDuringBackup = File.Exists(file);
        await pin.DisposeAsync();

        Assert.True(keptDuringBackup);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task AssetDeletedAndUploadedAgainWhileABackupRuns_FileIsKept()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var asset = await CardsApp.UploadAsync(admin, CardsApp.Png);
        var file = app.Services.GetRequiredService<AssetStore>().PathFor(await ShaOfAsync(app, asset.Id()));

        var pin = await app.Services.GetRequiredService<HostBackupGuard>().PinBlobsAsync(TestContext.Current.CancellationToken);
        using (var delete = await admin.DeleteAsync($"/api/assets/{asset.Id()}"))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, delete);
        }

        var again = await CardsApp.UploadAsync(admin, CardsApp.Png, "again.png");
        await pin.DisposeAsync();

        Assert.True(File.Exists(file));
        Assert.Equal(CardsApp.Png, await admin.GetByteArrayAsync($"/api/assets/{again.Id()}/content"));
    }

    /// <summary>
    /// The case a content-addressed store makes subtle: the snapshot references a file whose last
    /// row is deleted before the file is copied. The host's backup still carries it (deletions wait),
    /// and the file is removed once the backup is done.
    /// </summary>
    [Fact]
    public async Task HostBackup_AssetDeletedAfterTheSnapshot_IsInTheArchiveAndRemovedAfterwards()
    {
        await using var app = LabyrinthApp.WithoutPlugins();
        var admin = await app.SetupAdminAsync();
        var asset = await CardsApp.UploadAsync(admin, CardsApp.Png);
        var file = app.Services.GetRequiredService<AssetStore>().PathFor(await ShaOfAsync(app, asset.Id()));
        var guard = new AfterSnapshot(app.Services.GetRequiredService<HostBackupGuard>(), async () =>
        {
            using var delete = await admin.DeleteAsync($"/api/assets/{asset.Id()}");
            await Expect.StatusAsync(HttpStatusCode.NoContent, delete);
        });
        var source = BackupSource.ForDataDirectory(app.Services.GetRequiredService<Labyrinth.Host.Infrastructure.HostPaths>().DataDir, "test") with { Guard = guard };
        using var archive = new MemoryStream();

        var result = await BackupWriter.WriteAsync(source, archive, Path.GetTempPath(), TestContext.Current.CancellationToken);

        Assert.True(guard.Ran);
        Assert.Equal(1, result.Manifest.Counts.Assets);
        Assert.Contains(result.Manifest.Blobs, b => file.EndsWith(b.Sha256, StringComparison.Ordinal));
        Assert.False(File.Exists(file));
    }

    private static async Task<string> ShaOfAsync(LabyrinthApp app, string assetId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Labyrinth.Host.Data.LabyrinthDb>();
        return (await db.Assets.FindAsync([Guid.Parse(assetId)], TestContext.Current.CancellationToken))!.Sha256;
    }

    /// <summary>The host's guard, plus something that happens right after the snapshot is taken and the guard's lock released.</summary>
    private sealed class AfterSnapshot(IBackupGuard inner, Func<Task> action) : IBackupGuard
    {
        public bool Ran { get; private set; }

        public async Task<IAsyncDisposable> EnterSnapshotAsync(CancellationToken ct) => new Then(await inner.EnterSnapshotAsync(ct), async () =>
        {
            await action();
            Ran = true;
        });

        public Task<IAsyncDisposable> PinBlobsAsync(CancellationToken ct) => inner.PinBlobsAsync(ct);

        private sealed class Then(IAsyncDisposable first, Func<Task> then) : IAsyncDisposable
        {
            public async ValueTask DisposeAsync()
            {
                await first.DisposeAsync();
                await then();
            }
        }
    }
}
