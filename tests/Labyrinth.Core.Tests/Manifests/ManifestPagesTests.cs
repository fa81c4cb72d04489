using System.Text;
using System.Text.Json.Nodes;
using Labyrinth.Core.Manifests;

namespace Labyrinth.Core.Tests.Manifests;

public sealed class ManifestPagesTests
{
    private static readonly HashSet<string> Files = new(StringComparer.Ordinal) { "pages/home.js", "pages/admin.js", "pages/help.html", "cards/face.js" };

    private static JsonObject Page(string path = "home", string entry = "pages/home.js") =>
        new() { ["path"] = path, ["title"] = "Home", ["entry"] = entry };

    private static JsonObject Root(params JsonNode[] pages) => new()
    {
        ["id"] = "dev.example.app",
        ["name"] = "App",
        ["version"] = "1.0.0",
        ["minHostAPIVersion"] = "1.0.0",
        ["pages"] = new JsonArray(pages),
    };

    private static ManifestValidationResult Validate(JsonObject root, IReadOnlySet<string>? files = null) =>
        ManifestValidator.Validate(Encoding.UTF8.GetBytes(root.ToJsonString()), files ?? Files);

    private static void AssertProblem(ManifestValidationResult result, string pointer, string fragment)
    {
        Assert.False(result.IsValid);
        Assert.Contains(result.Problems, p => p.Pointer == pointer && p.Message.Contains(fragment, StringComparison.Ordinal));
    }

    [Fact]
    public void Pages_FullEntry_IsReadWithNavAndGuard()
    {
        var page = Page();
        page["icon"] = "📊";
        page["nav"] = new JsonObject { ["section"] = "Apps", ["order"] = 5 };
        page["requires"] = new JsonObject { ["role"] = "admin", ["capabilities"] = new JsonArray("crossCard:pubsub", "api:dev.example.other") };
        page["entry"] = "pages/admin.js";

        var result = Validate(Root(page, Page("", "pages/home.js")));

        Assert.True(result.IsValid, string.Join("; ", result.Problems.Select(p => p.Pointer + " " + p.Message)));
        var read = result.Manifest!.Pages[0];
        Assert.Equal(new PageNav("Apps", 5), read.Nav);
        Assert.Equal(PageRole.Admin, read.Role);
        Assert.Equal(["crossCard:pubsub", "api:dev.example.other"], read.Capabilities);
        Assert.Equal("", result.Manifest.Pages[1].Path);
        Assert.Equal(PageRole.Member, result.Manifest.Pages[1].Role);
        Assert.Null(result.Manifest.Pages[1].Nav);
    }

    [Fact]
    public void Pages_OnlyPages_IsAPlugin()
    {
        Assert.True(Validate(Root(Page())).IsValid);
    }

    [Theory]
    [InlineData("Reports", "lower case")]
    [InlineData("../cards", "\"..\"")]
    [InlineData("reports/../admin", "\"..\"")]
    [InlineData("./reports", "\"..\"")]
    [InlineData("/reports", "leading or trailing")]
    [InlineData("reports/", "leading or trailing")]
    [InlineData("reports//monthly", "empty segments")]
    [InlineData("reports%2fmonthly", "lower-case letters, digits and dashes")]
    [InlineData("-reports", "not starting with a dash")]
    [InlineData("a/b/c/d/e/f/g/h/i", "up to 8 segments")]
    [InlineData("r\u00e9sum\u00e9", "lower-case letters, digits and dashes")]
    public void PagePath_NotLowerCaseSegments_RefusedAtItsPointer(string path, string fragment)
    {
        AssertProblem(Validate(Root(Page(path))), "/pages/0/path", fragment);
    }

    [Fact]
    public void PagePath_Missing_RefusedAtItsPointer()
    {
        var page = Page();
        page.Remove("path");
        AssertProblem(Validate(Root(page)), "/pages/0/path", "is required");
    }

    [Fact]
    public void PagePath_DeclaredTwice_RefusedAtTheSecond()
    {
        AssertProblem(Validate(Root(Page("home"), Page("home"))), "/pages/1/path", "declared twice");
    }

    [Fact]
    public void PageEntry_NotInPackage_RefusedAtItsPointer()
    {
        AssertProblem(Validate(Root(Page("home", "pages/missing.js"))), "/pages/0/entry", "not in the package");
    }

    [Theory]
    [InlineData("pages/home.css", "must be a .js, .mjs or .html")]
    [InlineData("../pages/home.js", "..")]
    [InlineData("/pages/home.js", "relative")]
    public void PageEntry_NotAPackageModuleOrHtml_Refused(string entry, string fragment)
    {
        AssertProblem(Validate(Root(Page("home", entry))), "/pages/0/entry", fragment);
    }

    [Fact]
    public void PageEntry_Html_Accepted()
    {
        Assert.True(Validate(Root(Page("help", "pages/help.html"))).IsValid);
    }

    [Fact]
    public void Page_TitleMissing_RefusedAtItsPointer()
    {
        var page = Page();
        page.Remove("title");
        AssertProblem(Validate(Root(page)), "/pages/0/title", "required");
    }

    [Fact]
    public void Page_UnknownKey_RefusedAtItsPointer()
    {
        var page = Page();
        page["route"] = "x";
        AssertProblem(Validate(Root(page)), "/pages/0/route", "Unknown key");
    }

    [Theory]
    [InlineData("""{"order": 1}""", "/pages/0/nav/section", "required")]
    [InlineData("""{"section": "Apps", "order": 1.5}""", "/pages/0/nav/order", "integer")]
    [InlineData("""{"section": "Apps", "order": 5000}""", "/pages/0/nav/order", "integer from -1000 to 1000")]
    [InlineData("""{"section": "Apps", "pinned": true}""", "/pages/0/nav/pinned", "Unknown key")]
    [InlineData("""["Apps"]""", "/pages/0/nav", "null or an object")]
    public void PageNav_Invalid_RefusedAtItsPointer(string nav, string pointer, string fragment)
    {
        var page = Page();
        page["nav"] = JsonNode.Parse(nav);
        AssertProblem(Validate(Root(page)), pointer, fragment);
    }

    [Fact]
    public void PageNav_Null_MeansNoEntry()
    {
        var page = Page();
        page["nav"] = null;
        var result = Validate(Root(page));
        Assert.True(result.IsValid);
        Assert.Null(result.Manifest!.Pages[0].Nav);
    }

    [Theory]
    [InlineData("""{"role": "owner"}""", "/pages/0/requires/role", "\"admin\" or \"member\"")]
    [InlineData("""{"role": "Admin"}""", "/pages/0/requires/role", "\"admin\" or \"member\"")]
    [InlineData("""{"capabilities": ["fileRegistry:image"]}""", "/pages/0/requires/capabilities/0", "not a capability")]
    [InlineData("""{"capabilities": ["crossCard:pubsub", "crossCard:pubsub"]}""", "/pages/0/requires/capabilities/1", "listed twice")]
    [InlineData("""{"groups": ["x"]}""", "/pages/0/requires/groups", "Unknown key")]
    [InlineData("""true""", "/pages/0/requires", "must be an object")]
    public void PageRequires_Invalid_RefusedAtItsPointer(string requires, string pointer, string fragment)
    {
        var page = Page();
        page["requires"] = JsonNode.Parse(requires);
        AssertProblem(Validate(Root(page)), pointer, fragment);
    }

    [Fact]
    public void AdminPageEntry_SharedWithAMemberPage_Refused()
    {
        var admin = Page("admin", "pages/home.js");
        admin["requires"] = new JsonObject { ["role"] = "admin" };
        AssertProblem(Validate(Root(Page("home", "pages/home.js"), admin)), "/pages/1/entry", "file of its own");
    }

    [Fact]
    public void AdminPageEntry_SharedWithACard_Refused()
    {
        var admin = Page("admin", "cards/face.js");
        admin["requires"] = new JsonObject { ["role"] = "admin" };
        var root = Root(admin);
        root["cards"] = new JsonArray(new JsonObject
        {
            ["typeID"] = "face",
            ["name"] = "Face",
            ["runtime"] = new JsonObject { ["kind"] = "web", ["entry"] = "cards/face.js" },
            ["defaultSizePt"] = new JsonObject { ["width"] = 320, ["height"] = 240 },
        });
        AssertProblem(Validate(root), "/pages/0/entry", "file of its own");
    }

    [Fact]
    public void Pages_NotAnArray_Refused()
    {
        var root = Root();
        root["pages"] = new JsonObject();
        AssertProblem(Validate(root), "/pages", "must be an array");
    }

    [Fact]
    public void Pages_TooMany_Refused()
    {
        var pages = Enumerable.Range(0, ManifestValidator.MaxPages + 1).Select(i => (JsonNode)Page($"p{i}")).ToArray();
        AssertProblem(Validate(Root(pages)), "/pages", "at most 32 pages");
    }
}
