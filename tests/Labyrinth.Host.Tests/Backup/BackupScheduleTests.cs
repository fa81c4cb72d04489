using System.Net;
using System.Text.Json;
using Labyrinth.Backup;
using Labyrinth.Host.Features.Backup;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Labyrinth.Host.Tests.Backup;

/// <summary><c>Labyrinth:Backup:Schedule</c>: its rules as functions, then a host that writes, keeps, fails and reports backups.</summary>
public sealed class BackupScheduleTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Theory]
    [InlineData("hourly", 3600)]
    [InlineData("daily", 86400)]
    [InlineData(" Weekly ", 604800)]
    [InlineData("30m", 1800)]
    [InlineData("6h", 21600)]
    [InlineData("2d", 172800)]
    [InlineData("12:00:00", 43200)]
    [InlineData("1.00:00:00", 86400)]
    public void Schedule_Interval_IsParsed(string text, int seconds)
    {
        Assert.True(BackupSchedule.Parse(text, out var interval));
        Assert.Equal(TimeSpan.FromSeconds(seconds), interval);
    }

    [Theory]
    [InlineData("sometimes")]
    [InlineData("6")]
    [InlineData("0m")]
    [InlineData("-1h")]
    [InlineData("00:00:30")]
    [InlineData("1.5h")]
    public void Schedule_Nonsense_IsInvalid(string text) => Assert.False(BackupSchedule.IsValid(text));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("off")]
    public void Schedule_Off_IsValidAndNotScheduled(string? text)
    {
        Assert.True(BackupSchedule.IsValid(text));
        Assert.False(new BackupOptions { Schedule = text }.IsScheduled);
    }

    [Fact]
    public void NextDue_NeverBackedUp_IsNow() => Assert.Equal(Now, BackupSchedule.NextDue(Day, Now, null, null));

    [Fact]
    public void NextDue_AfterASuccess_IsOneIntervalLater() => Assert.Equal(Now.AddHours(-2) + Day, BackupSchedule.NextDue(Day, Now, Now.AddHours(-2), null));

    [Fact]
    public void NextDue_AfterAFailure_RetriesWithinAnHour() =>
        Assert.Equal(Now.AddMinutes(-10).AddHours(1), BackupSchedule.NextDue(Day, Now, Now.AddHours(-30), Now.AddMinutes(-10)));

    [Fact]
    public void NextDue_AfterAFailureWithAShortInterval_RetriesAfterTheInterval() =>
        Assert.Equal(Now.AddMinutes(5), BackupSchedule.NextDue(TimeSpan.FromMinutes(10), Now, null, Now.AddMinutes(-5)));

    [Theory]
    [InlineData(47, HealthStatus.Healthy)]
    [InlineData(49, HealthStatus.Degraded)]
    public void Health_LastSuccessAge_DegradesPastTwiceTheInterval(int hoursAgo, HealthStatus expected) =>
        Assert.Equal(expected, BackupSchedule.Assess(Day, Now, Now.AddDays(-10), Now.AddHours(-hoursAgo), null).Status);

    [Fact]
    public void Health_NoSuccessButAFailure_IsDegradedWithTheError()
    {
        var (status, description) = BackupSchedule.Assess(Day, Now, Now.AddMinutes(-1), null, "disk full");

        Assert.Equal(HealthStatus.Degraded, status);
        Assert.Contains("disk full", description, StringComparison.Ordinal);
    }

    [Fact]
    public void Health_NoSuccessYet_IsHealthyUntilTwiceTheInterval()
    {
        Assert.Equal(HealthStatus.Healthy, BackupSchedule.Assess(Day, Now, Now.AddHours(-1), null, null).Status);
        Assert.Equal(HealthStatus.Degraded, BackupSchedule.Assess(Day, Now, Now.AddDays(-3), null, null).Status);
    }

    [Fact]
    public async Task Schedule_Daily_WritesAPrivateBackupAtStartAndHealthzReportsItsAge()
    {
        using var directory = new TempDir();
        await using var app = Scheduled(directory.Path, "daily");
        var admin = await app.SetupAdminAsync();

        await Eventually.ReachAsync(() => Task.FromResult(Listing(directory.Path)), files => files.Any(f => f.StartsWith("labyrinth-backup-", StringComparison.Ordinal)),
            "a scheduled backup in the directory");
        var file = Directory.EnumerateFiles(directory.Path, "labyrinth-backup-*.zip").Single();
        await Eventually.ReachAsync(() => admin.GetJsonAsync("/api/admin/backups"), s => s.GetProperty("last").ValueKind != JsonValueKind.Null, "the scheduled backup recorded as the last one");
        var health = await app.CreateClient().GetJsonAsync("/healthz");
        var status = await admin.GetJsonAsync("/api/admin/backups");
        var audit = await admin.GetJsonAsync("/api/admin/audit?action=backup.create");

        var verification = await BackupVerifier.VerifyAsync(file, null, TestContext.Current.CancellationToken);
        Assert.True(verification.IsValid, string.Join("\n", verification.Problems.Select(p => p.Message)));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.Equal("ok", health.GetProperty("status").GetString());
        var check = health.GetProperty("checks").GetProperty("backup");
        Assert.Equal("ok", check.GetProperty("status").GetString());
        Assert.Equal(86400, check.GetProperty("intervalSeconds").GetInt64());
        Assert.InRange(check.GetProperty("ageSeconds").GetInt64(), 0, 3600);
        var schedule = status.GetProperty("schedule");
        Assert.Equal("daily", schedule.GetProperty("schedule").GetString());
        Assert.Equal(Path.GetFileName(file), schedule.GetProperty("files")[0].GetProperty("name").GetString());
        Assert.Equal("scheduled", status.GetProperty("last").GetProperty("kind").GetString());
        Assert.Equal(1, audit.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Schedule_Keep_RemovesTheOldestBackupsAndNothingElse()
    {
        using var directory = new TempDir();
        foreach (var old in new[] { "labyrinth-backup-20200101T000000Z.zip", "labyrinth-backup-20200102T000000Z.zip", "labyrinth-backup-20200103T000000Z.zip", "notes.txt" })
        {
            File.WriteAllText(Path.Combine(directory.Path, old), "old");
        }

        await using var app = Scheduled(directory.Path, "daily", keep: 2);
        _ = await app.SetupAdminAsync();

        var names = await Eventually.ReachAsync(() => Task.FromResult(Listing(directory.Path)), files => files.Length == 3, "one new backup, the newest old one and notes.txt left");

        Assert.Equal("labyrinth-backup-20200103T000000Z.zip", names[0]);
        Assert.Matches("^labyrinth-backup-\\d{8}T\\d{6}Z\\.zip$", names[1]);
        Assert.NotEqual("labyrinth-backup-20200103T000000Z.zip", names[1]);
        Assert.Equal("notes.txt", names[2]);
    }

    [Fact]
    public async Task Schedule_DirectoryUnwritable_IsLoggedAuditedShownAndDegradesHealth()
    {
        using var directory = new TempDir();
        var blocker = Path.Combine(directory.Path, "a-file");
        File.WriteAllText(blocker, "not a directory");
        await using var app = Scheduled(Path.Combine(blocker, "backups"), "daily");
        var admin = await app.SetupAdminAsync();

        await Eventually.ReachAsync(() => admin.GetJsonAsync("/api/admin/backups"), s => s.GetProperty("schedule").GetProperty("lastError").ValueKind != JsonValueKind.Null,
            "the failed backup shown on the status");
        using var response = await app.CreateClient().GetAsync("/healthz");
        var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var status = await admin.GetJsonAsync("/api/admin/backups");
        var audit = await admin.GetJsonAsync("/api/admin/audit?action=backup.failed");

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.Equal("degraded", health.GetProperty("checks").GetProperty("backup").GetProperty("status").GetString());
        Assert.Contains("No scheduled backup has succeeded yet", health.GetProperty("checks").GetProperty("backup").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("degraded", status.GetProperty("schedule").GetProperty("health").GetString());
        Assert.Equal(1, audit.GetProperty("total").GetInt32());
        Assert.Contains(app.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.StartsWith("Backup (scheduled) failed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostStart_StagingLeftByACrashedBackup_IsRemoved()
    {
        using var data = new TempDir();
        var leftover = Path.Combine(data.Path, ".labyrinth-backup-0123456789abcdef");
        Directory.CreateDirectory(leftover);
        File.WriteAllText(Path.Combine(leftover, "database"), "a database copy");
        await using var app = new LabyrinthApp(new Dictionary<string, string?> { ["Labyrinth:DataDir"] = data.Path, ["Labyrinth:ExamplePluginsDir"] = "" });

        _ = app.Services;

        await Eventually.TrueAsync(() => !Directory.Exists(leftover), "the crashed backup's staging folder removed");
    }

    [Fact]
    public async Task Healthz_NoSchedule_SaysSoAndStaysOk()
    {
        await using var app = LabyrinthApp.WithoutPlugins();

        var health = await app.CreateClient().GetJsonAsync("/healthz");

        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal("No backup schedule is set.", health.GetProperty("checks").GetProperty("backup").GetProperty("description").GetString());
    }

    [Theory]
    [InlineData("sometimes", null, "Labyrinth:Backup:Schedule must be")]
    [InlineData("daily", null, "Labyrinth:Backup:Directory is required")]
    public async Task Schedule_Misconfigured_StopsTheHostWithTheSetting(string schedule, string? directory, string message)
    {
        await using var app = new LabyrinthApp(new Dictionary<string, string?>
        {
            ["Labyrinth:ExamplePluginsDir"] = "",
            ["Labyrinth:Backup:Schedule"] = schedule,
            ["Labyrinth:Backup:Directory"] = directory,
        });

        var error = Assert.ThrowsAny<OptionsValidationException>(() => app.Services);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    /// <summary>The directory's visible files (a backup being written is a hidden ".….partial-…" file beside a hidden staging folder).</summary>
    private static ListedFiles Listing(string directory) =>
        new([.. Directory.EnumerateFiles(directory).Select(f => Path.GetFileName(f)!).Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal)]);

    private static LabyrinthApp Scheduled(string directory, string schedule, int keep = 7) => new(new Dictionary<string, string?>
    {
        ["Labyrinth:ExamplePluginsDir"] = "",
        ["Labyrinth:Backup:Schedule"] = schedule,
        ["Labyrinth:Backup:Directory"] = directory,
        ["Labyrinth:Backup:Keep"] = keep.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    /// <summary>File names that print as a list when a wait times out.</summary>
    private sealed class ListedFiles(string[] names) : IEnumerable<string>
    {
        public int Length => names.Length;

        public string this[int index] => names[index];

        public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)names).GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => names.GetEnumerator();

        public override string ToString() => names.Length == 0 ? "(empty)" : string.Join(", ", names);
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("labyrinth-backups-").FullName;

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
