using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StretchBot.Templating.Expressions;

namespace StretchBot.Templating;

/// <summary>
/// An Adaptive Card template (<c>${...}</c>, <c>$data</c>, <c>$when</c>) parsed once and expandable against any
/// number of data objects, concurrently. Expansion reproduces adaptivecards-templating 2.3.1's
/// <c>new Template(template).expand({ $root: data })</c>, quirks included; whatever this engine does not
/// support is rejected by <see cref="Parse"/> (or, for data-dependent cases, by <see cref="Expand"/>) rather than
/// approximated.
/// </summary>
public sealed class AdaptiveCardTemplate
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? cachedBuffer;

    private readonly TemplateNode root;

    private AdaptiveCardTemplate(TemplateNode root)
    {
        this.root = root;
    }

    /// <summary>Parses a template and compiles every expression in it.</summary>
    /// <exception cref="TemplateException">Invalid JSON, an expression that does not parse, or an unsupported feature; the message names the JSON path.</exception>
    public static AdaptiveCardTemplate Parse(string templateJson)
    {
        ArgumentNullException.ThrowIfNull(templateJson);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(templateJson, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is long line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : string.Empty;
            throw new TemplateException($"The template is not valid JSON{where}: {e.Message}", e);
        }

        using (document)
        {
            return new AdaptiveCardTemplate(TemplateCompiler.Compile(document.RootElement, "$"));
        }
    }

    /// <summary>Binds the template to <paramref name="data"/>, which becomes <c>$root</c> and the initial <c>$data</c>.</summary>
    /// <exception cref="TemplateException">The expansion fails where the official package would throw too, or hits an unsupported case.</exception>
    public JsonNode? Expand(JsonNode? data)
    {
        var buffer = RentBuffer();
        WriteExpansion(buffer, data);
        return JsonNode.Parse(buffer.WrittenSpan);
    }

    /// <summary>The compact JSON text of <see cref="Expand"/>.</summary>
    public string ExpandToJson(JsonNode? data)
    {
        var buffer = RentBuffer();
        WriteExpansion(buffer, data);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes the expansion as one JSON value, for callers that stream it (an HTTP body, for instance).</summary>
    public void WriteTo(Utf8JsonWriter writer, JsonNode? data)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Write(writer, data);
    }

    private void WriteExpansion(ArrayBufferWriter<byte> buffer, JsonNode? data)
    {
        using var writer = new Utf8JsonWriter(buffer, JsonOutput.WriterOptions);
        Write(writer, data);
    }

    private void Write(Utf8JsonWriter writer, JsonNode? data)
    {
        try
        {
            root.WriteRoot(writer, new EvalContext(JsValue.FromNode(data)));
        }
        catch (UnsupportedFeatureException e)
        {
            throw new TemplateException(e.Message, e);
        }
        catch (JsCrashException e)
        {
            throw new TemplateException($"Expansion failed: {e.Message}", e);
        }
    }

    private static ArrayBufferWriter<byte> RentBuffer()
    {
        var buffer = cachedBuffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        buffer.ResetWrittenCount();
        return buffer;
    }
}
