namespace Labyrinth.Cli.Tests.Infrastructure;

internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("labyrinth-cli-tests-").FullName;

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>A minimal valid built plugin folder, plus the build output pack must skip.</summary>
internal static class PluginFolder
{
    public const string Manifest = """
        {
          "id": "com.example.greeter",
          "name": "Greeter",
          "version": "1.2.3",
          "minHostAPIVersion": "1.0.0",
          "author": "Tests",
          "description": "A test plugin.",
          "license": "MIT",
          "cards": [
            {
              "typeID": "greeter",
              "name": "Greeter",
              "icon": "G",
              "runtime": { "kind": "web", "entry": "cards/greeter.js" },
              "defaultSizePt": { "width": 320, "height": 220 },
              "minSizePt": { "width": 200, "height": 120 },
              "capabilities": []
            }
          ]
        }
        """;

    public static string Create(TempDirectory temp, string name = "plugin")
    {
        var dir = temp.Combine(name);
        Directory.CreateDirectory(Path.Combine(dir, "cards"));
        File.WriteAllText(Path.Combine(dir, "manifest.json"), Manifest);
        File.WriteAllText(Path.Combine(dir, "cards", "greeter.js"), "export function mount(el) { el.textContent = 'hi'; }\n");
        File.WriteAllText(Path.Combine(dir, "cards", "style.css"), "p { color: red; }\n");
        File.WriteAllText(Path.Combine(dir, "build-manifest.json"), "{}");
        File.WriteAllBytes(Path.Combine(dir, "cards", "greeter.js.gz"), [1, 2, 3]);
        File.WriteAllBytes(Path.Combine(dir, "manifest.json.br"), [1, 2, 3]);
        return dir;
    }
}
