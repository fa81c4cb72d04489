using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Labyrinth.Host.Tests.Cards;

public sealed class AssetTokenTests(CardsApp shared) : IClassFixture<CardsApp>
{
    [Fact]
    public async Task GrantAsset_OwnImage_ReturnsTokenOnceAndGrantsCapability()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        var (token, grant, asset) = await card.GiveImageAsync();

        Assert.StartsWith("lab_ast_", token, StringComparison.Ordinal);
        Assert.Equal(asset.Id(), grant.GetProperty("assetId").GetString());
        Assert.False(grant.TryGetProperty("token", out _));
        var permissions = await card.PermissionsAsync();
        Assert.True(permissions.GetProperty("capabilities").EnumerateArray().Single(c => c.GetProperty("capability").GetString() == "fileRegistry:image").GetProperty("granted").GetBoolean());
        var listed = Assert.Single(permissions.GetProperty("assets").EnumerateArray());
        Assert.False(listed.TryGetProperty("token", out _));
        Assert.DoesNotContain(token, permissions.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsset_ValidToken_ReturnsBytesWithHeaders()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var (token, _, _) = await card.GiveImageAsync();

        using var response = await card.ReadAsync(token);

        await Expect.StatusAsync(HttpStatusCode.OK, response);
        Assert.Equal(CardsApp.Png, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("image/png", response.Headers.GetValues("X-Asset-Media-Type").Single());
        Assert.Equal("photo.png", Uri.UnescapeDataString(response.Headers.GetValues("X-Asset-Name").Single()));
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrantAsset_TypeNotRequested_Returns400()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync(), "plain");
        var asset = await CardsApp.UploadAsync(card.Client, CardsApp.Png);

        using var response = await card.GrantAssetAsync(asset.Id());

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "grant.not_requested", response);
        Assert.Equal(0, await shared.AssetGrantRowsAsync(card.BoardId, card.WindowId));
    }

    [Fact]
    public async Task GrantAsset_PdfToCardWithoutPdf_Returns400()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var asset = await CardsApp.UploadAsync(card.Client, Encoding.ASCII.GetBytes("%PDF-1.4\n"), "doc.pdf");

        using var response = await card.GrantAssetAsync(asset.Id());

        await Expect.ProblemAsync(HttpStatusCode.BadRequest, "grant.not_requested", response);
    }

    [Fact]
    public async Task GrantAsset_OtherUsersAsset_Returns404()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var theirs = await CardsApp.UploadAsync(await shared.UserAsync(), CardsApp.Png);

        using var response = await card.GrantAssetAsync(theirs.Id());

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "asset.not_found", response);
        Assert.Equal(0, await shared.AssetGrantRowsAsync(card.BoardId, card.WindowId));
    }

    [Fact]
    public async Task ReadAsset_TokenOfCardA_UsedByCardB_Returns404()
    {
        var a = await CardsApp.CardAsync(await shared.UserAsync());
        var b = await CardsApp.SecondCardAsync(a);
        using (var grantB = await b.GrantAsync("fileRegistry:image"))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, grantB);
        }

        var (token, _, _) = await a.GiveImageAsync();

        using var response = await b.ReadAsync(token);

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "asset.token_invalid", response);
    }

    [Fact]
    public async Task ReadAsset_TokenUsedByAnotherUserOnTheirOwnCard_Returns404()
    {
        var owner = await CardsApp.CardAsync(await shared.UserAsync());
        var (token, _, _) = await owner.GiveImageAsync();
        var thief = await CardsApp.CardAsync(await shared.UserAsync());
        await thief.GiveImageAsync();

        using var response = await thief.ReadAsync(token);

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "asset.token_invalid", response);
    }

    [Fact]
    public async Task ReadAsset_UnknownRevokedAndForeignToken_AnswerIdentically()
    {
        var a = await CardsApp.CardAsync(await shared.UserAsync());
        var b = await CardsApp.SecondCardAsync(a);
        var (revokedToken, revokedGrant, _) = await a.GiveImageAsync();
        var (foreignToken, _, _) = await b.GiveImageAsync();
        using (var revoke = await a.Client.DeleteAsync(a.Url("/assets/" + revokedGrant.GetProperty("grantId").GetString())))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, revoke);
        }

        using var unknown = await a.ReadAsync("lab_ast_" + new string('A', 43));
        using var revoked = await a.ReadAsync(revokedToken);
        using var foreign = await a.ReadAsync(foreignToken);

        var bodies = new List<string>();
        foreach (var response in new[] { unknown, revoked, foreign })
        {
            var problem = await Expect.ProblemAsync(HttpStatusCode.NotFound, "asset.token_invalid", response);
            bodies.Add(problem.GetProperty("detail").GetString()!);
        }

        Assert.Single(bodies.Distinct());
    }

    [Fact]
    public async Task RevokeAsset_Grant_MakesTokenUselessAtOnce()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var (token, grant, _) = await card.GiveImageAsync();
        using (var before = await card.ReadAsync(token))
        {
            await Expect.StatusAsync(HttpStatusCode.OK, before);
        }

        using var revoke = await card.Client.DeleteAsync(card.Url("/assets/" + grant.GetProperty("grantId").GetString()));
        using var after = await card.ReadAsync(token);

        await Expect.StatusAsync(HttpStatusCode.NoContent, revoke);
        await Expect.ProblemAsync(HttpStatusCode.NotFound, "asset.token_invalid", after);
    }

    [Fact]
    public async Task Audit_AssetGrantAndRead_NeverContainTheToken()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());
        var (token, grant, _) = await card.GiveImageAsync();
        using (var read = await card.ReadAsync(token))
        using (var revoke = await card.Client.DeleteAsync(card.Url("/assets/" + grant.GetProperty("grantId").GetString())))
        {
            await Expect.StatusAsync(HttpStatusCode.NoContent, revoke);
        }

        var audit = await shared.AuditExportAsync();

        Assert.Contains("asset.grant", audit, StringComparison.Ordinal);
        Assert.Contains("asset.revoke", audit, StringComparison.Ordinal);
        Assert.DoesNotContain(token, audit, StringComparison.Ordinal);
        Assert.DoesNotContain(token["lab_ast_".Length..], audit, StringComparison.Ordinal);
        Assert.DoesNotContain(token, shared.App.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsset_MalformedBody_Returns404TokenInvalid()
    {
        var card = await CardsApp.CardAsync(await shared.UserAsync());

        using var response = await card.Client.PostAsJsonAsync(card.Url("/assets/read"), new { token = (string?)null });

        await Expect.ProblemAsync(HttpStatusCode.NotFound, "asset.token_invalid", response);
    }
}
