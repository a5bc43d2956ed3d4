// What a child's profile form offers: countries (ISO 3166-1) and genders, as the provider spells them.
export const COUNTRIES = [
  "CN", "HK", "MO", "TW", "SG", "JP", "KR", "AU", "NZ", "CA", "US", "GB", "IE", "FR", "DE", "NL", "BE", "LU",
  "AT", "CH", "IT", "ES", "PT", "DK", "SE", "NO", "FI", "IS", "EE", "LV", "LT", "PL", "CZ", "SK", "HU", "SI",
  "HR", "RO", "BG", "GR", "CY", "MT", "LI",
];
export const GENDERS = ["female", "male", "another"];

/** The countries sorted by their names in the guardian's language, with those names. */
export function countriesFor(locale: string): { code: string; name: string }[] {
  const names = new Intl.DisplayNames([locale], { type: "region" });
  return COUNTRIES.map((code) => ({ code, name: names.of(code) ?? code })).sort((a, b) =>
    a.name.localeCompare(b.name, locale),
  );
}
