using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Labyrinth.Host.Data;

/// <summary>
/// The host's rows. This type is the SQLite context (its migrations are in Data/Migrations);
/// <see cref="PostgresLabyrinthDb"/> derives from it with its own migrations, so every feature
/// takes a <see cref="LabyrinthDb"/> whichever engine runs underneath.
/// </summary>
internal class LabyrinthDb : DbContext
{
    public LabyrinthDb(DbContextOptions<LabyrinthDb> options)
        : base(options)
    {
    }

    /// <summary>For a derived context whose options are typed for it.</summary>
    protected LabyrinthDb(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<UserEntity> Users => Set<UserEntity>();
    public DbSet<SetupTokenEntity> SetupTokens => Set<SetupTokenEntity>();
    public DbSet<BoardEntity> Boards => Set<BoardEntity>();
    public DbSet<CardPayloadEntity> CardPayloads => Set<CardPayloadEntity>();
    public DbSet<CardWindowEntity> CardWindows => Set<CardWindowEntity>();
    public DbSet<PluginEntity> Plugins => Set<PluginEntity>();
    public DbSet<PluginVersionEntity> PluginVersions => Set<PluginVersionEntity>();
    public DbSet<AuditEntryEntity> AuditEntries => Set<AuditEntryEntity>();
    public DbSet<TrustedKeyEntity> TrustedKeys => Set<TrustedKeyEntity>();
    public DbSet<UnsignedAllowlistEntity> UnsignedAllowlist => Set<UnsignedAllowlistEntity>();
    public DbSet<PersonalAccessTokenEntity> PersonalAccessTokens => Set<PersonalAccessTokenEntity>();
    public DbSet<CardGrantEntity> CardGrants => Set<CardGrantEntity>();
    public DbSet<PluginServiceGrantEntity> PluginServiceGrants => Set<PluginServiceGrantEntity>();
    public DbSet<AssetEntity> Assets => Set<AssetEntity>();
    public DbSet<AssetGrantEntity> AssetGrants => Set<AssetGrantEntity>();
    public DbSet<CardSnapshotEntity> CardSnapshots => Set<CardSnapshotEntity>();
    public DbSet<SecretEntity> Secrets => Set<SecretEntity>();
    public DbSet<NetworkServiceEntity> NetworkServices => Set<NetworkServiceEntity>();
    public DbSet<NetworkLogEntity> NetworkLog => Set<NetworkLogEntity>();
    public DbSet<UserPreferenceEntity> UserPreferences => Set<UserPreferenceEntity>();
    public DbSet<HostSettingEntity> HostSettings => Set<HostSettingEntity>();
    public DbSet<InkBoardEntity> InkBoards => Set<InkBoardEntity>();
    public DbSet<InkStrokeEntity> InkStrokes => Set<InkStrokeEntity>();
    public DbSet<SharedSelectionEntity> SharedSelections => Set<SharedSelectionEntity>();
    public DbSet<GroupEntity> Groups => Set<GroupEntity>();
    public DbSet<GroupMemberEntity> GroupMembers => Set<GroupMemberEntity>();
    public DbSet<PluginAvailabilityEntity> PluginAvailability => Set<PluginAvailabilityEntity>();
    public DbSet<RolloutEntity> Rollouts => Set<RolloutEntity>();
    public DbSet<BlobEntity> Blobs => Set<BlobEntity>();
    public DbSet<PluginConfigEntity> PluginConfigs => Set<PluginConfigEntity>();
    public DbSet<PluginStorageItemEntity> PluginStorage => Set<PluginStorageItemEntity>();

    /// <summary>
    /// Every date in the database is UTC: written as UTC (a local time is converted first) and read
    /// back with <see cref="DateTimeKind.Utc"/>, so DTOs serialise with a "Z" and no caller has to
    /// remember to say so. SQLite keeps no kind; PostgreSQL's timestamptz insists on UTC.
    /// </summary>
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<UserEntity>(e =>
        {
            e.ToTable("Users");
            e.HasIndex(u => u.NormalizedUserName).IsUnique();
            e.Property(u => u.UserName).HasMaxLength(64);
            e.Property(u => u.NormalizedUserName).HasMaxLength(64);
            e.Property(u => u.Role).HasMaxLength(16);
            e.Property(u => u.SessionStamp).HasMaxLength(64);
        });
        modelBuilder.Entity<SetupTokenEntity>(e => e.ToTable("SetupTokens"));
        modelBuilder.Entity<BoardEntity>(e =>
        {
            e.ToTable("Boards");
            e.HasIndex(b => b.OwnerId);
            e.Property(b => b.Name).HasMaxLength(200);
            e.Property(b => b.Version).IsConcurrencyToken();
        });
        modelBuilder.Entity<CardPayloadEntity>(e =>
        {
            e.ToTable("CardPayloads");
            e.HasKey(p => new { p.BoardId, p.WindowId });
            e.Property(p => p.Version).IsConcurrencyToken();
        });
        modelBuilder.Entity<CardWindowEntity>(e =>
        {
            e.ToTable("CardWindows");
            e.HasKey(w => new { w.BoardId, w.WindowId });
        });
        modelBuilder.Entity<PluginEntity>(e => e.ToTable("Plugins"));
        modelBuilder.Entity<PluginVersionEntity>(e =>
        {
            e.ToTable("PluginVersions");
            e.HasKey(v => new { v.PluginId, v.Version });
            e.Property(v => v.Digest).HasMaxLength(64);
            e.Property(v => v.SignatureStatus).HasMaxLength(32);
        });
        modelBuilder.Entity<AuditEntryEntity>(e =>
        {
            e.ToTable("AuditEntries");
            // The chain assigns sequence numbers; the unique index makes a forked chain fail to insert.
            e.HasIndex(a => a.Sequence).IsUnique();
            e.HasIndex(a => a.PluginId);
            e.HasIndex(a => a.Action);
        });
        modelBuilder.Entity<TrustedKeyEntity>(e =>
        {
            e.ToTable("TrustedKeys");
            e.HasKey(k => k.KeyId);
            e.HasIndex(k => k.PublicKey).IsUnique();
        });
        modelBuilder.Entity<UnsignedAllowlistEntity>(e =>
        {
            e.ToTable("UnsignedAllowlist");
            e.HasKey(a => a.PluginId);
        });
        modelBuilder.Entity<PersonalAccessTokenEntity>(e =>
        {
            e.ToTable("PersonalAccessTokens");
            e.HasIndex(t => t.TokenHash).IsUnique();
            e.HasIndex(t => t.UserId);
            e.Property(t => t.Name).HasMaxLength(100);
        });
        modelBuilder.Entity<CardGrantEntity>(e =>
        {
            e.ToTable("CardGrants");
            e.HasKey(g => new { g.BoardId, g.WindowId, g.Capability });
            e.Property(g => g.Capability).HasMaxLength(200);
            e.HasIndex(g => g.Handle).IsUnique();
        });
        modelBuilder.Entity<PluginServiceGrantEntity>(e =>
        {
            e.ToTable("PluginServiceGrants");
            e.HasKey(g => new { g.PluginId, g.Capability });
            e.Property(g => g.PluginId).HasMaxLength(200);
            e.Property(g => g.Capability).HasMaxLength(220);
            e.Property(g => g.GrantedBy).HasMaxLength(200);
        });
        modelBuilder.Entity<AssetEntity>(e =>
        {
            e.ToTable("Assets");
            e.HasIndex(a => a.OwnerId);
            e.HasIndex(a => a.Sha256);
            e.Property(a => a.Sha256).HasMaxLength(64);
            e.Property(a => a.Type).HasMaxLength(16);
            e.Property(a => a.MediaType).HasMaxLength(100);
            e.Property(a => a.Name).HasMaxLength(200);
        });
        modelBuilder.Entity<AssetGrantEntity>(e =>
        {
            e.ToTable("AssetGrants");
            e.HasIndex(g => g.TokenHash).IsUnique();
            e.HasIndex(g => new { g.BoardId, g.WindowId });
            e.HasIndex(g => g.AssetId);
        });
        modelBuilder.Entity<CardSnapshotEntity>(e =>
        {
            e.ToTable("CardSnapshots");
            e.HasKey(s => new { s.BoardId, s.WindowId });
        });
        modelBuilder.Entity<SecretEntity>(e =>
        {
            e.ToTable("Secrets");
            e.HasIndex(s => new { s.ServiceId, s.OwnerId });
            e.Property(s => s.Name).HasMaxLength(100);
            e.Property(s => s.ServiceId).HasMaxLength(64);
            e.Property(s => s.Last4).HasMaxLength(4);
        });
        modelBuilder.Entity<NetworkServiceEntity>(e =>
        {
            e.ToTable("NetworkServices");
            e.HasKey(s => s.Id);
            e.Property(s => s.Id).HasMaxLength(64);
        });
        modelBuilder.Entity<NetworkLogEntity>(e =>
        {
            e.ToTable("NetworkLog");
            e.HasIndex(l => new { l.BoardId, l.WindowId, l.Id });
        });
        modelBuilder.Entity<UserPreferenceEntity>(e =>
        {
            e.ToTable("UserPreferences");
            e.HasKey(p => p.UserId);
        });
        modelBuilder.Entity<HostSettingEntity>(e =>
        {
            e.ToTable("HostSettings");
            e.HasKey(s => s.Key);
        });
        modelBuilder.Entity<InkBoardEntity>(e =>
        {
            e.ToTable("InkBoards");
            e.HasKey(i => i.BoardId);
            e.Property(i => i.Revision).IsConcurrencyToken();
        });
        modelBuilder.Entity<InkStrokeEntity>(e =>
        {
            e.ToTable("InkStrokes");
            e.HasKey(s => new { s.BoardId, s.StrokeId });
            e.Property(s => s.StrokeId).HasMaxLength(64);
            e.Property(s => s.Color).HasMaxLength(16);
            e.Property(s => s.ErasedBy).HasMaxLength(40);
            // The board's live strokes in drawing order: the GET reads exactly this range.
            e.HasIndex(s => new { s.BoardId, s.ErasedBy, s.Seq });
        });
        modelBuilder.Entity<SharedSelectionEntity>(e =>
        {
            e.ToTable("SharedSelections");
            e.HasKey(s => new { s.BoardId, s.WindowId });
            e.Property(s => s.SelectionId).HasMaxLength(40);
            e.Property(s => s.PngSha256).HasMaxLength(64);
        });
        modelBuilder.Entity<GroupEntity>(e =>
        {
            e.ToTable("Groups");
            e.HasIndex(g => g.NormalizedName).IsUnique();
            e.Property(g => g.Name).HasMaxLength(64);
            e.Property(g => g.NormalizedName).HasMaxLength(64);
        });
        modelBuilder.Entity<GroupMemberEntity>(e =>
        {
            e.ToTable("GroupMembers");
            e.HasKey(m => new { m.GroupId, m.UserId });
            e.HasIndex(m => m.UserId);
            e.HasOne<GroupEntity>().WithMany().HasForeignKey(m => m.GroupId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne<UserEntity>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<PluginAvailabilityEntity>(e =>
        {
            e.ToTable("PluginAvailability");
            e.HasKey(a => new { a.PluginId, a.GroupId });
            e.HasOne<GroupEntity>().WithMany().HasForeignKey(a => a.GroupId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<RolloutEntity>(e =>
        {
            e.ToTable("Rollouts");
            e.HasIndex(r => new { r.PluginId, r.Status });
            e.Property(r => r.Status).HasMaxLength(16);
        });
        modelBuilder.Entity<BlobEntity>(e =>
        {
            e.ToTable("Blobs");
            e.HasKey(b => b.Sha256);
            e.Property(b => b.Sha256).HasMaxLength(64);
        });
        modelBuilder.Entity<PluginConfigEntity>(e =>
        {
            e.ToTable("PluginConfigs");
            e.HasKey(c => c.PluginId);
            e.Property(c => c.PluginId).HasMaxLength(200);
            e.Property(c => c.UpdatedBy).HasMaxLength(200);
            e.Property(c => c.Revision).IsConcurrencyToken();
        });
        modelBuilder.Entity<PluginStorageItemEntity>(e =>
        {
            e.ToTable("PluginStorage");
            e.HasKey(i => new { i.PluginId, i.Scope, i.OwnerId, i.Key });
            e.Property(i => i.PluginId).HasMaxLength(200);
            e.Property(i => i.Scope).HasMaxLength(16);
            // 256 UTF-16 code units; the column is sized in characters.
            e.Property(i => i.Key).HasMaxLength(256);
            e.Property(i => i.Version).IsConcurrencyToken();
            e.HasIndex(i => i.OwnerId);
        });
    }
}

/// <summary>UTC in, UTC out: an unspecified kind is taken as UTC (what the host always writes), a local time is converted.</summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    v => v.Kind == DateTimeKind.Local ? v.ToUniversalTime() : DateTime.SpecifyKind(v, DateTimeKind.Utc),
    v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
