using System.Text;

namespace Propeller.Proxy.Oci;

/// <summary>
/// One challenge of a <c>WWW-Authenticate</c> header, e.g. <c>Bearer realm="https://auth/token",service="reg"</c>.
/// Parameter names are case-insensitive; quoted values may hold commas and backslash escapes.
/// </summary>
internal sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? Realm => Get("realm");

    public string? Service => Get("service");

    public string? Scope => Get("scope");

    public string? Get(string name) => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>
    /// Every challenge in <paramref name="header"/> (a header may carry several, as in
    /// <c>Basic realm="a", Bearer realm="b"</c>). Malformed trailing text ends the parse; what came before is kept.
    /// </summary>
    public static IReadOnlyList<AuthChallenge> ParseAll(string? header)
    {
        var challenges = new List<AuthChallenge>();
        if (string.IsNullOrWhiteSpace(header))
        {
            return challenges;
        }

        var reader = new Reader(header);
        reader.SkipSeparators();
        while (!reader.AtEnd)
        {
            var scheme = reader.ReadToken();
            if (scheme.Length == 0)
            {
                break;
            }

            var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            reader.SkipWhitespace();
            while (!reader.AtEnd)
            {
                // A token not followed by '=' starts the next challenge.
                var mark = reader.Position;
                var name = reader.ReadToken();
                reader.SkipWhitespace();
                if (name.Length == 0 || !reader.TryConsume('='))
                {
                    reader.Position = mark;
                    break;
                }

                reader.SkipWhitespace();
                var value = reader.Peek == '"' ? reader.ReadQuoted() : reader.ReadToken();
                if (value is null)
                {
                    reader.Position = header.Length;
                    break;
                }

                parameters[name] = value;
                reader.SkipSeparators();
            }

            challenges.Add(new AuthChallenge(scheme, parameters));
            reader.SkipSeparators();
        }

        return challenges;
    }

    /// <summary>The challenge to answer: Bearer when offered (the registry token flow), else Basic, else the first.</summary>
    public static AuthChallenge? Select(IEnumerable<string> headers)
    {
        var all = headers.SelectMany(ParseAll).ToList();
        return all.FirstOrDefault(c => c.IsBearer) ?? all.FirstOrDefault(c => c.IsBasic) ?? all.FirstOrDefault();
    }

    private sealed class Reader(string text)
    {
        public int Position { get; set; }

        public bool AtEnd => Position >= text.Length;

        public char Peek => AtEnd ? '\0' : text[Position];

        public void SkipWhitespace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[Position]))
            {
                Position++;
            }
        }

        public void SkipSeparators()
        {
            while (!AtEnd && (char.IsWhiteSpace(text[Position]) || text[Position] == ','))
            {
                Position++;
            }
        }

        public bool TryConsume(char c)
        {
            if (Peek != c || AtEnd)
            {
                return false;
            }

            Position++;
            return true;
        }

        // RFC 9110 token characters, plus '/' and ':' that unquoted realm and scope values use in practice.
        public string ReadToken()
        {
            var start = Position;
            while (!AtEnd && !char.IsWhiteSpace(text[Position]) && text[Position] is not (',' or '=' or '"'))
            {
                Position++;
            }

            return text[start..Position];
        }

        public string? ReadQuoted()
        {
            Position++;
            var value = new StringBuilder();
            while (!AtEnd)
            {
                var c = text[Position++];
                if (c == '"')
                {
                    return value.ToString();
                }

                if (c == '\\' && !AtEnd)
                {
                    c = text[Position++];
                }

                value.Append(c);
            }

            return null;
        }
    }
}
