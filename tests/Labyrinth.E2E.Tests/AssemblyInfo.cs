using Labyrinth.E2E.Tests.Infrastructure;

// One Chromium and one signed-in server for the whole run; tests run one at a time so two
// cores are not shared by several browsers (timing-sensitive drags, watchdog pings).
[assembly: AssemblyFixture(typeof(E2EEnvironment))]
