using System.Text;

namespace StretchBot.Templating.Expressions;

/// <summary>adaptive-expressions' static return types; validators reject some argument types at parse time.</summary>
[Flags]
internal enum ReturnType
{
    Boolean = 1,
    Number = 2,
    Object = 4,
    String = 8,
    Array = 16,
}

/// <summary>An evaluation outcome. Errors are values here, as in adaptive-expressions, because many functions swallow them.</summary>
internal readonly record struct EvalResult(object? Value, string? Error)
{
    public static EvalResult Ok(object? value) => new(value, null);

    public static EvalResult Fail(string error) => new(Undefined.Value, error);

    public bool IsError => Error is not null;
}

/// <summary>The state one expansion evaluates against: the template's $root/$data/$index plus lambda iterators.</summary>
internal sealed class EvalContext(object? root)
{
    private static readonly string[] MemoryKeys = ["_memory", "$root", "$data", "$index", "$host", "$_acTemplateVersion"];

    private static readonly JsObject TemplateVersion = new(
    [
        new("major", 2d),
        new("minor", 3d),
        new("patch", 1d),
        new("suffix", string.Empty),
    ]);

    public object? Root { get; } = root;

    /// <summary>The bound data context; <see cref="Undefined"/> until a $data binds one, when $data reads as $root.</summary>
    public object? Data { get; set; } = Undefined.Value;

    public object? Index { get; set; } = Undefined.Value;

    public LambdaFrame? Locals { get; set; }

    private StringBuilder? spareBuilder;

    /// <summary>One reusable builder per expansion for interpolated strings (they never nest).</summary>
    public StringBuilder RentBuilder()
    {
        var sb = spareBuilder ?? new StringBuilder(128);
        spareBuilder = null;
        return sb.Clear();
    }

    public void ReturnBuilder(StringBuilder sb) => spareBuilder = sb;

    /// <summary>StackedMemory over TemplateObjectMemory: lambda iterators first, then $data-relative paths.</summary>
    public object? Lookup(string[] rawParts, string[] templateParts)
    {
        for (var frame = Locals; frame is not null; frame = frame.Outer)
        {
            var value = frame.Lookup(rawParts);
            if (value is not Undefined)
            {
                return value;
            }
        }

        if (templateParts.Length == 0)
        {
            return Undefined.Value;
        }

        object? current = Undefined.Value;
        foreach (var key in MemoryKeys)
        {
            if (string.Equals(key, templateParts[0], StringComparison.OrdinalIgnoreCase))
            {
                current = key switch
                {
                    "$root" => Root,
                    "$data" => Data is Undefined ? Root : Data,
                    "$index" => Index,
                    "$_acTemplateVersion" => TemplateVersion,
                    _ => Undefined.Value,
                };
                break;
            }
        }

        return PathWalker.Walk(current, templateParts, 1);
    }
}

internal sealed class LambdaFrame(string name, object? value, LambdaFrame? outer)
{
    public LambdaFrame? Outer { get; } = outer;

    public object? Lookup(string[] parts)
    {
        if (parts.Length == 0 || !string.Equals(parts[0], name, StringComparison.OrdinalIgnoreCase))
        {
            return Undefined.Value;
        }

        return PathWalker.Walk(value, parts, 1);
    }
}

/// <summary>SimpleObjectMemory.getValue: the path split on '.', '[' and ']', indexes only into arrays.</summary>
internal static class PathWalker
{
    public static object? Walk(object? current, string[] parts, int start)
    {
        for (var i = start; i < parts.Length; i++)
        {
            var part = parts[i];
            var index = JsValue.ParseInt(part);
            if (!double.IsNaN(index) && JsValue.IsArray(current))
            {
                if (!JsValue.TryAccessIndex(current, index, out current))
                {
                    return Undefined.Value;
                }
            }
            else
            {
                current = JsValue.AccessProperty(current, part);
            }
        }

        return current;
    }

    public static string[] Split(string path)
    {
        var parts = path.Split(['.', '[', ']'], StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            var p = parts[i];
            if ((p[0] == '"' && p[^1] == '"') || (p[0] == '\'' && p[^1] == '\''))
            {
                parts[i] = p.Length >= 2 ? p[1..^1] : string.Empty;
            }
        }

        return parts;
    }

    /// <summary>Paths without a leading '$' are relative to $data (TemplateObjectMemory.getValue).</summary>
    public static string[] SplitTemplatePath(string path) =>
        Split(path.Length > 0 && path[0] != '$' ? "$data." + path : path);
}

internal abstract class Expr
{
    public abstract ReturnType ReturnType { get; }

    /// <summary>The evaluator type name (e.g. "+", "concat"), which drives ToString and the template's concat special case.</summary>
    public abstract string Type { get; }

    public abstract EvalResult Eval(EvalContext ctx, bool substitute);

    /// <summary>Expression.toString(), which the official package prints back as <c>${...}</c> when an interpolated part fails.</summary>
    public abstract override string ToString();
}

internal sealed class ConstantExpr(object? value) : Expr
{
    public object? Value { get; } = value;

    public override ReturnType ReturnType => Value switch
    {
        string => ReturnType.String,
        bool => ReturnType.Boolean,
        double d when !double.IsNaN(d) => ReturnType.Number,
        _ when JsValue.IsArray(Value) => ReturnType.Array,
        _ => ReturnType.Object,
    };

    public override string Type => "Constant";

    public override EvalResult Eval(EvalContext ctx, bool substitute) => EvalResult.Ok(Value);

    public override string ToString()
    {
        switch (Value)
        {
            case Undefined:
                return "undefined";
            case null:
                return "null";
            case string s:
                var doubled = s.Replace("\\", "\\\\", StringComparison.Ordinal);
                var sb = new StringBuilder("'");
                for (var i = 0; i < doubled.Length; i++)
                {
                    // Constant.toString escapes a quote unless a backslash already precedes it.
                    if (doubled[i] == '\'' && (i == 0 || doubled[i - 1] != '\\'))
                    {
                        sb.Append('\\');
                    }

                    sb.Append(doubled[i]);
                }

                return sb.Append('\'').ToString();
            case double d:
                return JsValue.NumberToString(d);
            case bool b:
                return b ? "true" : "false";
            default:
                return JsValue.Stringify(Value) ?? "undefined";
        }
    }
}

/// <summary>
/// A property path (<c>a.b[0]['c']</c>). Like FunctionUtils.tryAccumulatePath, the chain of member and index
/// accesses becomes one path string looked up in memory; when every index is a constant that happens at parse time.
/// </summary>
internal sealed class AccessorExpr : Expr
{
    private readonly string? staticPath;
    private readonly string[]? staticRawParts;
    private readonly string[]? staticTemplateParts;

    public AccessorExpr(string name, Expr? instance)
    {
        if (instance is not null && (instance.ReturnType & ReturnType.Object) == 0)
        {
            throw new ExpressionParseException($"{ToString(name, instance)} must have an object as its second argument.");
        }

        Name = name;
        Instance = instance;
        if (IsStatic(this))
        {
            var (path, left, error) = AccumulatePath(new EvalContext(null), substitute: false);
            if (error is null && path is not null)
            {
                staticPath = path;
                staticRawParts = PathWalker.Split(path);
                staticTemplateParts = left is null ? PathWalker.SplitTemplatePath(path) : null;
            }
        }
    }

    public string Name { get; }

    public Expr? Instance { get; }

    public override ReturnType ReturnType => ReturnType.Object;

    public override string Type => "Accessor";

    public override EvalResult Eval(EvalContext ctx, bool substitute)
    {
        string? path;
        Expr? left;
        string[] rawParts;
        string[]? templateParts;
        if (staticPath is not null)
        {
            path = staticPath;
            left = BaseOf(this);
            rawParts = staticRawParts!;
            templateParts = staticTemplateParts;
        }
        else
        {
            string? error;
            (path, left, error) = AccumulatePath(ctx, substitute);
            if (error is not null)
            {
                return EvalResult.Fail(error);
            }

            if (path is null)
            {
                return EvalResult.Ok(Undefined.Value);
            }

            rawParts = PathWalker.Split(path);
            templateParts = left is null ? PathWalker.SplitTemplatePath(path) : null;
        }

        object? value;
        if (left is null)
        {
            value = ctx.Lookup(rawParts, templateParts!);
        }
        else
        {
            var scope = left.Eval(ctx, substitute);
            if (scope.IsError)
            {
                return scope;
            }

            value = scope.Value is Undefined ? Undefined.Value : PathWalker.Walk(scope.Value, rawParts, 0);
        }

        if (value is Undefined && substitute)
        {
            return EvalResult.Ok("${" + path + "}");
        }

        return EvalResult.Ok(value);
    }

    private static bool IsStatic(Expr e)
    {
        while (true)
        {
            switch (e)
            {
                case AccessorExpr a:
                    if (a.Instance is null)
                    {
                        return true;
                    }

                    e = a.Instance;
                    break;
                case ElementExpr el:
                    if (el.Index is not ConstantExpr)
                    {
                        return false;
                    }

                    e = el.Instance;
                    break;
                default:
                    return true;
            }
        }
    }

    private static Expr? BaseOf(Expr e)
    {
        while (true)
        {
            switch (e)
            {
                case AccessorExpr a:
                    if (a.Instance is null)
                    {
                        return null;
                    }

                    e = a.Instance;
                    break;
                case ElementExpr el:
                    e = el.Instance;
                    break;
                default:
                    return e;
            }
        }
    }

    private (string? Path, Expr? Left, string? Error) AccumulatePath(EvalContext ctx, bool substitute)
    {
        var path = string.Empty;
        Expr? left = this;
        while (left is not null)
        {
            if (left is AccessorExpr a)
            {
                path = a.Name + "." + path;
                left = a.Instance;
            }
            else if (left is ElementExpr el)
            {
                var index = el.Index.Eval(ctx, substitute);
                if (index.IsError)
                {
                    return (null, null, index.Error);
                }

                var v = index.Value;
                var asInt = v switch
                {
                    double d => JsValue.ParseInt(JsValue.NumberToString(d)),
                    string s => JsValue.ParseInt(s),
                    _ => double.NaN,
                };
                if (!double.IsNaN(asInt))
                {
                    path = "[" + JsValue.ToStringCoerce(v) + "]." + path;
                }
                else if (v is string s)
                {
                    path = "['" + s + "']." + path;
                }
                else
                {
                    return (null, null, $"{el.Index} doesn't return an int or string");
                }

                left = el.Instance;
            }
            else
            {
                break;
            }
        }

        path = path.TrimEnd('.').Replace(".[", "[", StringComparison.Ordinal);
        return (path.Length == 0 ? null : path, left, null);
    }

    public override string ToString() => ToString(Name, Instance);

    private static string ToString(string name, Expr? instance) => instance is null ? name : instance + "." + name;
}

/// <summary><c>x[i]</c> evaluated on its own (not as part of a longer member path).</summary>
internal sealed class ElementExpr(Expr instance, Expr index) : Expr
{
    public Expr Instance { get; } = instance;

    public Expr Index { get; } = index;

    public override ReturnType ReturnType => ReturnType.Object;

    public override string Type => "Element";

    public override EvalResult Eval(EvalContext ctx, bool substitute)
    {
        var inst = Instance.Eval(ctx, substitute);
        // Element's evaluator returns nothing at all when its operands fail, and callers then crash destructuring it.
        if (inst.IsError)
        {
            throw new JsCrashException(inst.Error!);
        }

        var idx = Index.Eval(ctx, substitute: false);
        if (idx.IsError)
        {
            throw new JsCrashException(idx.Error!);
        }

        if (JsValue.IsInteger(idx.Value))
        {
            return JsValue.TryAccessIndex(inst.Value, (double)idx.Value!, out var value)
                ? EvalResult.Ok(value)
                : EvalResult.Fail(JsValue.IsArray(inst.Value)
                    ? $"{JsValue.NumberToString((double)idx.Value!)} is out of range for {JsValue.ToStringCoerce(inst.Value)}"
                    : $"{JsValue.ToStringCoerce(inst.Value)} is not a collection.");
        }

        if (idx.Value is string s)
        {
            return EvalResult.Ok(JsValue.AccessProperty(inst.Value, s));
        }

        return EvalResult.Fail($"Could not coerce {Index} to an int or string.");
    }

    public override string ToString() => Instance + "[" + Index + "]";
}

internal sealed class CallExpr : Expr
{
    public CallExpr(FunctionDef function, Expr[] args)
    {
        Function = function;
        Args = args;
        function.Validate(this);
    }

    public FunctionDef Function { get; }

    public Expr[] Args { get; }

    public override ReturnType ReturnType => Function.ReturnType;

    public override string Type => Function.Type;

    public override EvalResult Eval(EvalContext ctx, bool substitute) => Function.Evaluate(this, ctx, substitute);

    public override string ToString()
    {
        var type = Function.Type;
        var infix = type.Length > 0 && !char.IsAsciiLetter(type[0]) && Args.Length >= 2;
        var sb = new StringBuilder();
        if (!infix)
        {
            sb.Append(type);
        }

        sb.Append('(');
        for (var i = 0; i < Args.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(infix ? " " + type + " " : ", ");
            }

            sb.Append(Args[i]);
        }

        return sb.Append(')').ToString();
    }
}

/// <summary>An expression the parser or a function's validator rejects.</summary>
internal sealed class ExpressionParseException(string message) : Exception(message);
