//! The pages' texts in English, Dutch, Norwegian (bokmål) and German
//! (L10N-01), kept in Fluent files under `i18n/` and formatted here, so the
//! browser only shows finished strings.
//!
//! Texts without variables go to the page as one catalog (the page fills
//! every element marked `data-t`); texts with variables (names, sizes,
//! reasons) are formatted here when the state changes.

use std::collections::BTreeMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::LanguageIdentifier;

/// One language's Fluent files: the texts both pages share, the console's
/// and the panel's.
macro_rules! texts_of {
    ($lang:literal) => {
        concat!(
            include_str!(concat!("../../i18n/", $lang, "/common.ftl")),
            "\n",
            include_str!(concat!("../../i18n/", $lang, "/console.ftl")),
            "\n",
            include_str!(concat!("../../i18n/", $lang, "/panel.ftl")),
        )
    };
}

/// A language the pages speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    En,
    /// Dutch.
    Nl,
    /// Norwegian bokmål.
    Nb,
    /// German.
    De,
}

impl Lang {
    /// Every language, in the order the switch lists them.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Nl, Lang::Nb, Lang::De];

    /// The BCP 47 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nl => "nl",
            Lang::Nb => "nb",
            Lang::De => "de",
        }
    }

    /// The language's name in itself, for the switch.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Nl => "Nederlands",
            Lang::Nb => "Norsk bokmål",
            Lang::De => "Deutsch",
        }
    }

    /// A language from a tag or a POSIX locale: `nl`, `nl-BE`, `de_AT.UTF-8`,
    /// `no`, `nn` (Nynorsk readers read bokmål far better than English).
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "nl" => Some(Lang::Nl),
            "nb" | "no" | "nn" => Some(Lang::Nb),
            "de" => Some(Lang::De),
            _ => None,
        }
    }

    /// The first of the OS's preferred languages that we speak, else English.
    pub fn from_os() -> Lang {
        sys_locale::get_locales()
            .find_map(|l| Lang::parse(&l))
            .unwrap_or(Lang::En)
    }

    fn source(self) -> &'static str {
        match self {
            Lang::En => texts_of!("en"),
            Lang::Nl => texts_of!("nl"),
            Lang::Nb => texts_of!("nb"),
            Lang::De => texts_of!("de"),
        }
    }
}

/// The texts of one language, with English behind any missing message.
pub struct Texts {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
    english: Option<Box<Texts>>,
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Texts").field("lang", &self.lang).finish()
    }
}

/// A value for a text's variable.
pub type Arg<'a> = (&'a str, FluentValue<'a>);

impl Texts {
    /// The texts of `lang`.
    pub fn new(lang: Lang) -> Texts {
        let english = (lang != Lang::En).then(|| Box::new(Texts::new(Lang::En)));
        Texts {
            lang,
            bundle: bundle(lang),
            english,
        }
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The text `key`, formatted with `args`. A key no language has comes
    /// back as itself, which a page shows plainly rather than hiding.
    pub fn get(&self, key: &str, args: &[Arg<'_>]) -> String {
        if let Some(text) = self.format(key, args) {
            return text;
        }
        match &self.english {
            Some(en) => en.get(key, args),
            None => {
                tracing::warn!("no text {key:?}");
                key.to_string()
            }
        }
    }

    fn format(&self, key: &str, args: &[Arg<'_>]) -> Option<String> {
        let msg = self.bundle.get_message(key)?;
        let pattern = msg.value()?;
        let mut fargs = FluentArgs::new();
        for (name, value) in args {
            fargs.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text = self
            .bundle
            .format_pattern(pattern, Some(&fargs), &mut errors);
        if !errors.is_empty() {
            tracing::warn!("text {key:?} in {}: {errors:?}", self.lang.code());
        }
        Some(text.into_owned())
    }

    /// Every text that needs no variables, for the page's catalog.
    pub fn catalog(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        if let Some(en) = &self.english {
            out = en.catalog();
        }
        let resource = resource(self.lang);
        for id in message_ids(&resource) {
            let Some(msg) = self.bundle.get_message(&id) else {
                continue;
            };
            let Some(pattern) = msg.value() else {
                continue;
            };
            let mut errors = Vec::new();
            let text = self.bundle.format_pattern(pattern, None, &mut errors);
            if errors.is_empty() {
                out.insert(id, text.into_owned());
            }
        }
        out
    }
}

fn resource(lang: Lang) -> FluentResource {
    match FluentResource::try_new(lang.source().to_string()) {
        Ok(r) => r,
        Err((r, errors)) => {
            // Caught by the tests; at run time, keep what parsed.
            tracing::error!("{}.ftl has errors: {errors:?}", lang.code());
            r
        }
    }
}

fn bundle(lang: Lang) -> FluentBundle<FluentResource> {
    let id: LanguageIdentifier = lang.code().parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    // Unicode isolation marks protect right-to-left names; none of our
    // languages is, and the marks would end up in copied text.
    bundle.set_use_isolating(false);
    if let Err(errors) = bundle.add_resource(resource(lang)) {
        tracing::error!("{}.ftl: {errors:?}", lang.code());
    }
    bundle
}

/// The message ids a resource defines, in order.
pub fn message_ids(resource: &FluentResource) -> Vec<String> {
    resource
        .entries()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

/// The variables each message of a language uses, by message id.
pub fn variables(lang: Lang) -> BTreeMap<String, Vec<String>> {
    use fluent_syntax::ast::{Expression, InlineExpression, Pattern, PatternElement};
    fn walk(p: &Pattern<&str>, out: &mut Vec<String>) {
        for el in &p.elements {
            if let PatternElement::Placeable { expression } = el {
                match expression {
                    Expression::Inline(InlineExpression::VariableReference { id }) => {
                        out.push(id.name.to_string())
                    }
                    Expression::Select { selector, variants } => {
                        if let InlineExpression::VariableReference { id } = selector {
                            out.push(id.name.to_string());
                        }
                        for v in variants {
                            walk(&v.value, out);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let resource = resource(lang);
    let mut map = BTreeMap::new();
    for entry in resource.entries() {
        if let fluent_syntax::ast::Entry::Message(m) = entry {
            let mut vars = Vec::new();
            if let Some(v) = &m.value {
                walk(v, &mut vars);
            }
            vars.sort();
            vars.dedup();
            map.insert(m.id.name.to_string(), vars);
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l10n_01_every_language_has_every_text() {
        let english = variables(Lang::En);
        assert!(english.len() > 50, "the catalog looks empty");
        for lang in Lang::ALL {
            let src = lang.source();
            assert!(
                FluentResource::try_new(src.to_string()).is_ok(),
                "{}.ftl does not parse",
                lang.code()
            );
            let theirs = variables(lang);
            let missing: Vec<_> = english
                .keys()
                .filter(|k| !theirs.contains_key(*k))
                .collect();
            assert!(missing.is_empty(), "{} lacks {missing:?}", lang.code());
            let extra: Vec<_> = theirs
                .keys()
                .filter(|k| !english.contains_key(*k))
                .collect();
            assert!(extra.is_empty(), "{} has unknown {extra:?}", lang.code());
            for (key, vars) in &theirs {
                assert_eq!(
                    vars,
                    &english[key],
                    "{}: {key} uses other variables than English",
                    lang.code()
                );
            }
        }
    }

    #[test]
    fn l10n_01_languages_differ_and_format() {
        let en = Texts::new(Lang::En).catalog();
        for lang in [Lang::Nl, Lang::Nb, Lang::De] {
            let theirs = Texts::new(lang).catalog();
            assert_eq!(theirs.len(), en.len());
            let same = en.iter().filter(|(k, v)| theirs[*k] == **v).count();
            // Brand names and symbols may match; most texts must not.
            assert!(same * 5 < en.len(), "{} looks untranslated", lang.code());
        }
    }

    #[test]
    fn locales_map_to_languages() {
        assert_eq!(Lang::parse("nl_NL.UTF-8"), Some(Lang::Nl));
        assert_eq!(Lang::parse("de-AT"), Some(Lang::De));
        assert_eq!(Lang::parse("nn-NO"), Some(Lang::Nb));
        assert_eq!(Lang::parse("no"), Some(Lang::Nb));
        assert_eq!(Lang::parse("EN-us"), Some(Lang::En));
        assert_eq!(Lang::parse("fr-FR"), None);
        assert_eq!(Lang::parse(""), None);
    }

    #[test]
    fn variables_are_filled() {
        let t = Texts::new(Lang::De);
        let text = t.get("consent-question", &[("helper", "Anna".into())]);
        assert!(text.contains("Anna"), "{text}");
        assert_eq!(t.get("no-such-key", &[]), "no-such-key");
    }
}
