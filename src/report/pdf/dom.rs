//! The report's own HTML read back as a tree, so that the PDF is laid out
//! from the very text the HTML report shows. A small tolerant reader: the
//! markup comes from this crate's writers, but a stray end tag or an unknown
//! entity must not lose text.

/// A node of the tree.
#[derive(Debug)]
pub(crate) enum Node {
    Element(Element),
    Text(String),
}

/// An element with its attributes and children.
#[derive(Debug, Default)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

impl Element {
    /// The value of attribute `key`.
    pub(crate) fn attr(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the element's `class` names `class`.
    pub(crate) fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_whitespace().any(|c| c == class))
    }

    /// The child elements.
    pub(crate) fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// The first descendant named `name`, depth first.
    pub(crate) fn find(&self, name: &str) -> Option<&Element> {
        for e in self.elements() {
            if e.name == name {
                return Some(e);
            }
            if let Some(found) = e.find(name) {
                return Some(found);
            }
        }
        None
    }

    /// All text below, tooltips (`title`) left out.
    pub(crate) fn text(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        for n in &self.children {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) if e.name != "title" => e.collect_text(out),
                Node::Element(_) => {}
            }
        }
    }
}

/// Elements that never have an end tag.
const VOID: [&str; 6] = ["meta", "br", "img", "hr", "link", "input"];

/// Elements whose content is not markup and not shown.
const RAW: [&str; 2] = ["script", "style"];

/// Reads `html` into a tree under an unnamed root element.
pub(crate) fn parse(html: &str) -> Element {
    let mut stack: Vec<Element> = vec![Element::default()];
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut stack, rest);
            break;
        };
        push_text(&mut stack, &rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            rest = rest.find('>').map_or("", |i| &rest[i + 1..]);
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after.find('>').unwrap_or(after.len());
            close(&mut stack, after[..end].trim());
            rest = after.get(end + 1..).unwrap_or("");
        } else {
            let (element, closed, after) = open_tag(&rest[1..]);
            rest = after;
            if RAW.contains(&element.name.as_str()) {
                let end_tag = format!("</{}", element.name);
                rest = rest.find(&end_tag).map_or("", |i| &rest[i..]);
                rest = rest.find('>').map_or("", |i| &rest[i + 1..]);
            } else if closed || VOID.contains(&element.name.as_str()) {
                append(&mut stack, Node::Element(element));
            } else {
                stack.push(element);
            }
        }
    }
    while stack.len() > 1 {
        let e = stack.pop().expect("more than the root");
        append(&mut stack, Node::Element(e));
    }
    stack.pop().expect("the root")
}

fn append(stack: &mut [Element], node: Node) {
    stack
        .last_mut()
        .expect("the root stays")
        .children
        .push(node);
}

fn push_text(stack: &mut [Element], raw: &str) {
    if !raw.is_empty() {
        append(stack, Node::Text(unescape(raw)));
    }
}

/// Ends the innermost open element named `name`; an end tag that matches
/// nothing open is ignored.
fn close(stack: &mut Vec<Element>, name: &str) {
    let name = name.to_ascii_lowercase();
    let Some(at) = stack.iter().rposition(|e| e.name == name) else {
        return;
    };
    if at == 0 {
        return;
    }
    while stack.len() > at {
        let e = stack.pop().expect("above the root");
        append(stack, Node::Element(e));
    }
}

/// Reads a start tag after its `<`: the element, whether it closed itself
/// (`/>`), and the text after the tag.
fn open_tag(s: &str) -> (Element, bool, &str) {
    let name_end = s
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(s.len());
    let mut element = Element {
        name: s[..name_end].to_ascii_lowercase(),
        ..Element::default()
    };
    let mut rest = &s[name_end..];
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("/>") {
            return (element, true, after);
        }
        if let Some(after) = rest.strip_prefix('>') {
            return (element, false, after);
        }
        if rest.is_empty() {
            return (element, false, rest);
        }
        if let Some(after) = rest.strip_prefix('/') {
            rest = after;
            continue;
        }
        let key_end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let key = rest[..key_end].to_ascii_lowercase();
        rest = rest[key_end..].trim_start();
        let value = if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (value, tail) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after[1..];
                    let end = body.find(q).unwrap_or(body.len());
                    (&body[..end], body.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after
                        .find(|c: char| c.is_whitespace() || c == '>')
                        .unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            rest = tail;
            unescape(value)
        } else {
            String::new()
        };
        element.attrs.push((key, value));
    }
}

/// Decodes character references; an unknown one stays as written.
pub(crate) fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&i| i <= 10).and_then(|semi| {
            let name = &rest[1..semi];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, semi))
        });
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_markup_attributes_and_references() {
        let root = parse(
            "<!DOCTYPE html><html><head><style>p{x<y}</style></head><body>\
             <p class=\"note big\">A &amp; B &lt;x&gt; &#39;q&#39; &#x2212;1 <b>bold</b></p>\
             <br><svg width=\"10\"><rect x='1' y=2 /><text>t<title>tip</title></text></svg></body></html>",
        );
        let body = root.find("body").expect("body");
        let p = body.find("p").expect("p");
        assert!(p.has_class("big") && !p.has_class("bi"));
        assert_eq!(p.text(), "A & B <x> 'q' \u{2212}1 bold");
        let svg = body.find("svg").expect("svg");
        assert_eq!(svg.attr("width"), Some("10"));
        let rect = svg.find("rect").expect("rect");
        assert_eq!((rect.attr("x"), rect.attr("y")), (Some("1"), Some("2")));
        assert_eq!(svg.find("text").expect("text").text(), "t");
        assert!(!root.text().contains("x<y"), "style text is not shown");
    }

    #[test]
    fn stray_end_tags_and_unknown_references_keep_the_text() {
        let root = parse("<p>a</i> &bogus; &amp b</p><p>c");
        let texts: Vec<String> = root.elements().map(Element::text).collect();
        assert_eq!(texts, ["a &bogus; &amp b", "c"]);
    }
}
