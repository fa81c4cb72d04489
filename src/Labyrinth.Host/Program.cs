using Labyrinth.Host.Features.Assets;
using Labyrinth.Host.Features.Audit;
using Labyrinth.Host.Features.Apps;
using Labyrinth.Host.Features.Auth;
using Labyrinth.Host.Features.Backup;
using Labyrinth.Host.Features.Boards;
using Labyrinth.Host.Features.Broker;
using Labyrinth.Host.Features.Cluster;
using Labyrinth.Host.Features.Bus;
using Labyrinth.Host.Features.Cards;
using Labyrinth.Host.Features.Governance;
using Labyrinth.Host.Features.Groups;
using Labyrinth.Host.Features.Ink;
using Labyrinth.Host.Features.Observability;
using Labyrinth.Host.Features.PluginConfig;
using Labyrinth.Host.Features.Plugins;
using Labyrinth.Host.Features.PluginStorage;
using Labyrinth.Host.Features.Rollouts;
using Labyrinth.Host.Features.Schemas;
using Labyrinth.Host.Features.Services;
using Labyrinth.Host.Features.Themes;
using Labyrinth.Host.Features.Tokens;
using Labyrinth.Host.Features.Users;
using Labyrinth.Host.Features.Vault;
using Labyrinth.Host.Features.WebApp;
using Labyrinth.Host.Infrastructure;

StartTimeline.Mark("Main entered (runtime started, host assembly loaded)");
var builder = WebApplication.CreateBuilder(Labyrinth.Host.Infrastructure.HostDefaults.BuilderArguments(args)); // settings read once, not watched
builder.Configuration.AddLabyrinthDefaults(); // below every other source
builder.Configuration.UseAppSettingsBesideAssembly(builder.Environment, AppContext.BaseDirectory); // started outside the project folder
StartTimeline.Mark("builder created (configuration, logging)");

builder.Services.AddLabyrinthHost(builder.Configuration);
builder.Services.AddCluster(builder.Configuration); // Redis when scaled out, in memory otherwise
builder.Services.AddAuth();
builder.Services.AddUsers();
builder.Services.AddTokens();
builder.Services.AddAudit();
builder.Services.AddBoards();
builder.Services.AddInk();
builder.Services.AddCards();
builder.Services.AddAssets();
builder.Services.AddPlugins();
builder.Services.AddCspReports();
builder.Services.AddGovernance();
builder.Services.AddGroups();
builder.Services.AddRollouts(builder.Configuration);
builder.Services.AddObservability();
builder.Services.AddSchemas();
builder.Services.AddThemes();
builder.Services.AddVault();
builder.Services.AddNetworkServices();
builder.Services.AddBroker();
builder.Services.AddBus();
builder.Services.AddApps();
builder.Services.AddPluginConfig();
builder.Services.AddPluginStorage(builder.Configuration);
builder.Services.AddBackup();

StartTimeline.Mark("services registered");
var app = builder.Build();
StartTimeline.Mark("host built (service provider)");

app.UseStartTimeline();
app.UseProxyHeaders(); // before anything reads the client address (login rate limit)
app.UseExceptionHandler();
app.UseLabyrinthSecurity();
app.UsePluginFiles(); // card origins' hot path: before static files, routing and auth
app.UseWebApp(); // the UI's files; API and plugin paths never probe the web root
app.UseRouting(); // card frames short-circuit here: no auth
app.UseApiBodyTypes(); // 415 for a body a cross-site form could send, before any handler reads it
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();

app.MapAuth();
app.MapUsers();
app.MapTokens();
app.MapBoards();
app.MapInk();
app.MapCards();
app.MapAssets();
app.MapPlugins();
app.MapCspReports();
app.MapGovernance();
app.MapGroups();
app.MapRollouts();
app.MapAudit();
app.MapObservability();
app.MapSchemas();
app.MapThemes();
app.MapVault();
app.MapNetworkServices();
app.MapBroker();
app.MapBus();
app.MapApps();
app.MapPluginConfig();
app.MapPluginStorage();
app.MapBackup();
app.MapWebApp();
StartTimeline.Mark("pipeline and endpoints mapped");

if (!await app.InitializeLabyrinthAsync())
{
    return Startup.CannotStartExitCode;
}

await app.RunAsync();
return 0;

/// <summary>Entry point; public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
