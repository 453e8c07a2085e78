"""The words of economic and diplomatic news, per language: flows, units, qualifiers, periods,
roles and events. Patterns are regular-expression fragments matched case-insensitively on word
starts, so inflected forms (exported, exportations, экспорта) match one stem."""

from __future__ import annotations

from dataclasses import dataclass, field

LANGUAGES = ("en", "fr", "ru")


@dataclass(frozen=True)
class Lexicon:
    """What one language contributes to the patterns."""

    turnover: str
    exports: str
    imports: str
    investment: str
    stock: str  # words saying an investment is a total over years, not a flow
    units: dict[str, str]  # unit code -> pattern
    currencies: dict[str, str]  # ISO code -> pattern of the word after the number
    percent: str
    qualifiers: dict[str, str]  # qualifier -> pattern right before a number
    range_words: str  # "from X to Y": neither is a single figure
    last_year: str
    this_year: str
    months_word: str
    first_half: str
    base_same_period: str
    base_previous_year: str
    base_year: str  # a comparison with a year named by number: "compared to 2022"
    quarter: str  # "first quarter": group q holds the ordinal
    before: str  # words before a day that the event is to come before
    rise: str
    fall: str
    future: str
    today: str
    yesterday: str
    tomorrow: str
    soon: str
    arrival: str  # where a visitor is met on arrival: a meeting there is the visit itself
    counts: dict[str, str]  # count code -> pattern of the counted noun
    events: dict[str, str]  # event kind -> pattern
    roles: str
    org_words: str  # capitalised words that belong to titles and bodies, not names
    whole_trade: str = ""  # a country's trade with the world, not with one partner
    elsewhere: str = ""  # regions and groups: a figure about them is not the pair's
    target: str = ""  # goals and forecasts: not a statistic
    deals: str = ""  # the value of agreements signed: not trade
    number_words: dict[str, int] = field(default_factory=dict)
    # words for a round number that say it is approximate: "une quinzaine", "a dozen"
    about_numbers: dict[str, int] = field(default_factory=dict)
    year_suffix: str = ""  # "2019 года": the word after a year
    speech: str = ""  # verbs and phrases that attribute a quotation to its speaker
    worth: str = ""  # words between agreements and their total value: "worth", "на сумму"
    copula: str = ""  # "X was the first president": a role said of a name


EN = Lexicon(
    turnover=r"trade|turnover|traded|trading",
    exports=r"export",
    imports=r"import",
    investment=r"invest",
    stock=r"over the years|since|in total|total|cumulative|have invested|has invested",
    units={"billion": r"billions?|bn|bln", "million": r"millions?|mln|mn",
           "thousand": r"thousands?"},
    currencies={"USD": r"US dollars|dollars|USD", "EUR": r"euros?|EUR",
                "KZT": r"tenge|KZT", "RUB": r"roubles|rubles|RUB", "GBP": r"pounds|GBP"},
    percent=r"%|percent|per cent",
    qualifiers={"more_than": r"more than|over|above|exceeding|in excess of",
                "nearly": r"nearly|almost|close to",
                "approximately": r"about|around|approximately|roughly|some|an estimated",
                "less_than": r"less than|under|below"},
    range_words=r"from|between|ranged|ranging",
    last_year=r"last year|the previous year|past year",
    this_year=r"this year|the current year",
    months_word=r"months?",
    first_half=r"first half|first six months",
    base_same_period=r"(?:the )?same period(?: (?:of|in|last year)(?: \d{4})?)?|"
                     r"year[- ]on[- ]year",
    base_previous_year=r"(?:the )?(?:previous|preceding|prior) year|(?:the )?year before|"
                       r"(?<=over )last year|(?<=than )last year",
    base_year=r"(?:compared (?:to|with)|versus|vs\.?|against|over|from|than(?: in)?)\s+"
              r"(?:the same period (?:of|in) |the \w+ (?:months|quarter|half) of |)"
              r"(?:19|20)\d{2}",
    quarter=r"(?P<q>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter|Q(?P<qn>[1-4])",
    before=r"before|by|no later than|ahead of",
    rise=r"increase|increased|up|grew|growth|rose|higher|rise",
    fall=r"decrease|decreased|down|fell|declined|lower|drop",
    future=r"will|shall|is to|are to|is expected|are expected|plans? to|to be held|"
           r"is scheduled|are scheduled|upcoming|next",
    today=r"today|this morning|this afternoon|this evening|tonight",
    yesterday=r"yesterday",
    tomorrow=r"tomorrow",
    soon=r"in the near future|soon|in the coming days|in the coming weeks",
    arrival=r"airports?|airfield",
    counts={"companies": r"companies|enterprises|firms|businesses",
            "business_leaders": r"business leaders|business executives|executives|"
                                r"CEOs|heads of companies|entrepreneurs|businessmen",
            "visas": r"visas", "students": r"students",
            "agreements": r"agreements|documents|memorand\w*|contracts|deals",
            "projects": r"projects", "programmes": r"programmes|programs"},
    events={"state_visit": r"state visit", "official_visit": r"official visit",
            "forum": r"forum|summit|conference|exhibition",
            "commission": r"intergovernmental commission|joint commission",
            "ceremony": r"ceremony", "signing": r"signed|signing",
            "talks": r"talks|negotiations|consultations|round table",
            "meeting": r"met|meeting|meets|received|receiving|receives|briefing|session",
            "visit": r"visit\w*|arrived|arrives|trip|travel\w*",
            "other": r"established|opened|inaugurated"},
    roles=r"president|prime minister|minister|chancellor|king|queen|emir|ambassador|"
          r"chairman|chairwoman|chair|head|secretary|governor|mayor|speaker|"
          r"vice|deputy|ceo|director|representative|leader|premier|envoy|commissioner",
    org_words=r"ministry|ministers?|president|prime|vice|first|deputy|foreign|affairs|"
              r"trade|economy|economic|national|statistics|bureau|chamber|commerce|industry|"
              r"infrastructure|development|energy|agriculture|ecology|geology|natural|"
              r"resources|finance|federal|chancellor|council|european|commission|union|"
              r"high|representative|security|policy|embassy|republic|state|head|government|"
              r"news|agency|reports|central|asia|bank|fund|group|company|corporation|the|"
              r"minister|ambassador|secretary|general|king|queen|emir|his|her|by|on|in|and|"
              r"of|at|mr|mrs|ms|dr|president's|sheikh|senate|parliament|assembly|"
              r"according|during|after|before|while|french|kazakh|german|russian|saint|st",
    whole_trade=r"foreign trade|total trade|overall trade|external trade|global trade",
    elsewhere=r"Central Asia|Europe|European Union|EU|CIS|EAEU|the world|the region|Asia",
    target=r"target\w*|goal|aims?|plans?|planned|expected|expects|could|would|will|"
           r"forecast\w*|potential|intends?|seeks?|by 20\d\d",
    deals=r"agreements?|contracts?|deals?|memorand\w*|documents",
    number_words={"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                  "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12},
    about_numbers={"a dozen": 12, "dozen": 12, "a score of": 20},
    speech=r"said|says|say|stated|states|noted|notes|added|adds|stressed|stresses|"
           r"emphasi[sz]ed|underlined|told|declared|remarked|explained|according to",
    copula=r"was|is|has been|had been|will be|became|becomes",
    worth=r"worth|valued at|totall?ing|with a (?:total )?value of|for a total of|"
          r"amounting to|for",
)

FR = Lexicon(
    turnover=r"échanges|commerce|commercia\w*|chiffre d['’]affaires",
    exports=r"export",
    imports=r"import",
    investment=r"invest",
    stock=r"au total|total|depuis|cumul\w*|ont investi|a investi",
    units={"billion": r"milliards?|mds?|mrd", "million": r"millions?|mln|M",
           "thousand": r"milliers?"},
    currencies={"USD": r"(?:de |d['’])?dollars(?: américains)?|USD|\$",
                "EUR": r"(?:d['’])?euros?|EUR|€", "KZT": r"(?:de )?tenge|KZT",
                "RUB": r"(?:de )?roubles|RUB"},
    percent=r"%|pour cent|pourcents?",
    qualifiers={"more_than": r"plus de|au-delà de|supérieur à|dépassant",
                "nearly": r"près de|presque|quasiment",
                "approximately": r"environ|quelque|autour de|approximativement|"
                                 r"de l['’]ordre de|un peu plus de",
                "less_than": r"moins de|inférieur à"},
    range_words=r"entre|oscill\w*|de",
    last_year=r"l['’]année dernière|l['’]an dernier|l['’]année passée|l['’]an passé",
    this_year=r"cette année|l['’]année en cours",
    months_word=r"mois",
    first_half=r"premier semestre|six premiers mois",
    base_same_period=r"(?:la )?même période(?: (?:de|en) (?:l['’]année précédente|\d{4}))?|"
                     r"sur un an|en glissement annuel",
    base_previous_year=r"(?:l['’])?année précédente|(?<=à )l['’]an dernier|"
                       r"(?<=à )l['’]année dernière",
    base_year=r"(?:par rapport à|comparé à|contre|sur)\s+(?:la même période de |)(?:19|20)\d{2}",
    quarter=r"(?P<q>premier|deuxième|second|troisième|quatrième)\s+trimestre|"
            r"T(?P<qn>[1-4])",
    before=r"avant le|d['’]ici le|au plus tard le|avant",
    rise=r"hausse|augment\w*|progress\w*|croissance|plus",
    fall=r"baisse|diminu\w*|recul\w*|chute",
    future=r"sera|seront|va|vont|doit|doivent|devrait|devraient|prévu\w*|prochaine?s?|"
           r"attendu\w*|se rendra|effectuera|aura lieu",
    today=r"aujourd['’]hui|ce matin|cet après-midi|ce soir",
    yesterday=r"hier",
    tomorrow=r"demain",
    soon=r"prochainement|dans les prochains jours|dans les prochaines semaines|bientôt",
    arrival=r"aéroports?|aérodromes?",
    counts={"companies": r"entreprises|sociétés|firmes|compagnies",
            "business_leaders": r"chefs d['’]entreprises?|dirigeants d['’]entreprises?|"
                                r"patrons|entrepreneurs|hommes d['’]affaires|PDG",
            "visas": r"visas", "students": r"étudiants",
            "agreements": r"accords|documents|contrats|mémorandums",
            "projects": r"projets", "programmes": r"programmes"},
    events={"state_visit": r"visite d['’]état", "official_visit": r"visite officielle",
            "forum": r"forum|sommet|conférence|salon",
            "commission": r"commission intergouvernementale|commission mixte",
            "ceremony": r"cérémonie", "signing": r"sign[ée]\w*|signature",
            "talks": r"entretiens|discussions|négociations|pourparlers|consultations|"
                     r"table ronde",
            "meeting": r"rencontr\w*|réuni\w*|reçu\w*|entrevue|séance",
            "visit": r"visite|arriv[ée]\w*|déplacement|voyage|rendu|rendre|rendra",
            "other": r"établi\w*|ouvert\w*|inaugur\w*"},
    roles=r"président|présidente|premier ministre|ministre|chancelier|chancelière|roi|"
          r"reine|émir|ambassadeur|ambassadrice|chef|secrétaire|gouverneur|maire|"
          r"vice|directeur|directrice|pdg|représentant|dirigeant|envoyé|commissaire",
    org_words=r"ministère|ministre|président|présidente|premier|vice|affaires|étrangères|"
              r"commerce|économie|nationale?|chambre|industrie|république|état|gouvernement|"
              r"union|européenne|conseil|commission|banque|fonds|groupe|le|la|les|de|du|"
              r"des|et|à|en|au|l|d|m|mme|astana|akorda|asie|centrale|france|chef|"
              r"européen|saint|sainte|ambassade|ambassadeur",
    whole_trade=r"commerce extérieur|échanges extérieurs|commerce total",
    elsewhere=r"Asie centrale|Europe|Union européenne|UE|CEI|monde|région|Asie",
    target=r"objectif\w*|vise|visent|viser|prévoi\w*|pourrai\w*|devrai\w*|potentiel|"
           r"d['’]ici|ambitionne\w*|souhaite\w*|sera|seront|atteindra",
    deals=r"accords?|contrats?|mémorandums?|documents",
    number_words={"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
                  "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12},
    about_numbers={"dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20,
                   "trentaine": 30, "quarantaine": 40, "cinquantaine": 50, "soixantaine": 60,
                   "centaine": 100},
    speech=r"a déclaré|déclare|a dit|dit|a ajouté|ajoute|a souligné|souligne|a affirmé|"
           r"affirme|a indiqué|indique|a noté|a estimé|estime|a expliqué|explique|selon|"
           r"a assuré|assure|a insisté|a rappelé|rappelle",
    copula=r"a été|est|était|fut|sera|devient|est devenue?|était alors",
    worth=r"d['’]un montant (?:total )?de|pour un montant (?:total )?de|"
          r"d['’]une valeur (?:totale )?de|évalués? à|totalisant|pour",
)

RU = Lexicon(
    turnover=r"товарооборот\w*|торгов\w*",
    exports=r"экспорт",
    imports=r"импорт",
    investment=r"инвестиц|вложени|инвестир",
    stock=r"всего|за годы|с \d{4}|накопленн\w*|в общей сложности|вложили",
    units={"billion": r"млрд\.?|миллиард\w*", "million": r"млн\.?|миллион\w*",
           "thousand": r"тыс\.?|тысяч\w*"},
    currencies={"USD": r"долл\w*\.?(?: США)?|USD|\$", "EUR": r"евро|EUR|€",
                "KZT": r"тенге|KZT", "RUB": r"руб\w*\.?|RUB"},
    percent=r"%|процент\w*",
    qualifiers={"more_than": r"более|свыше|больше|превысил\w*",
                "nearly": r"почти|чуть менее",
                "approximately": r"около|порядка|примерно|приблизительно|ориентировочно",
                "less_than": r"менее|меньше|ниже"},
    range_words=r"от|между|колебал\w*",
    last_year=r"прошлого года|прошлом году|прошлый год|минувшего года|минувшем году|"
              r"предыдущего года",
    this_year=r"текущего года|этого года|текущем году|этом году|нынешнего года",
    months_word=r"месяц\w*",
    first_half=r"перв\w* полугоди\w*",
    base_same_period=r"(?:с |по сравнению с )?аналогичн\w* период\w*(?: \d{4} года)?|"
                     r"в годовом выражении",
    base_previous_year=r"(?:по сравнению с )?(?:прошлым|предыдущим) годом",
    base_year=r"(?:по сравнению с|относительно|против)\s+(?:аналогичным периодом )?"
              r"(?:19|20)\d{2}(?:\s+(?:годом|года|г\.))?",
    quarter=r"(?P<q>перв\w*|втор\w*|трет\w*|четв[её]рт\w*|I|II|III|IV)\s+квартал\w*",
    before=r"до|не позднее|не позже",
    rise=r"вырос\w*|увелич\w*|рост\w*|повыс\w*",
    fall=r"снизил\w*|сократил\w*|уменьш\w*|упал\w*|снижени\w*",
    future=r"примет|примут|будет|будут|планируется|планирует|состоится|пройдет|пройдёт|"
           r"намерен\w*|предстоящ\w*|посетит|проведут",
    today=r"сегодня|этим утром|сегодня утром",
    yesterday=r"вчера",
    tomorrow=r"завтра",
    soon=r"в ближайшее время|в ближайшие дни|вскоре|в скором времени",
    arrival=r"аэропорт\w*|аэродром\w*",
    counts={"companies": r"компани\w*|предприяти\w*|фирм\w*",
            "business_leaders": r"руководител\w* (?:компаний|предприятий)|бизнесмен\w*|"
                                r"предпринимател\w*|представител\w* бизнеса",
            "visas": r"виз\w*", "students": r"студент\w*",
            "agreements": r"соглашени\w*|документ\w*|контракт\w*|меморандум\w*",
            "projects": r"проект\w*", "programmes": r"программ\w*"},
    events={"state_visit": r"государственн\w* визит\w*",
            "official_visit": r"официальн\w* визит\w*",
            "forum": r"форум\w*|саммит\w*|конференци\w*|выставк\w*",
            "commission": r"межправительственн\w* комисси\w*",
            "ceremony": r"церемони\w*", "signing": r"подписа\w*|подписан\w*",
            "talks": r"переговор\w*|консультаци\w*|кругл\w* стол\w*",
            "meeting": r"встреч\w*|встретил\w*|принял\w*|брифинг\w*|заседани\w*",
            "visit": r"визит\w*|прибыл\w*|посети\w*|поездк\w*",
            "other": r"установлен\w*|открыт\w*"},
    roles=r"федеральн\w* канцлер\w*|президент\w*|премьер\w*|министр\w*|канцлер\w*|"
          r"глав\w*|посол\w*|посл[аеу]|"
          r"председател\w*|руководител\w*|секретар\w*|губернатор\w*|аким\w*|мэр\w*|"
          r"спикер\w*|заместител\w*|вице\w*|директор\w*|представител\w*|лидер\w*",
    org_words=r"министерств\w*|министр\w*|президент\w*|премьер\w*|вице\w*|первый|"
              r"федеральн\w*|канцлер\w*|правительств\w*|республик\w*|государств\w*|"
              r"глав\w*|совет\w*|комисси\w*|союз\w*|европейск\w*|банк\w*|фонд\w*|"
              r"в|во|и|на|с|по|города|город|центральн\w*|азия|азии|саммит\w*|казахстан\w*|"
              r"германи\w*|франци\w*|посол\w*",
    whole_trade=r"внешнеторгов\w*|внешней торговл\w*|внешняя торговля",
    elsewhere=r"Центральн\w* Ази\w*|Европ\w*|Евросоюз\w*|ЕС|ЕАЭС|СНГ|мир\w*|регион\w*",
    target=r"цел\w*|планир\w*|довести|может|могут|потенциал\w*|прогноз\w*|намерен\w*|"
           r"достигнет|превысит|к 20\d\d",
    deals=r"соглашени\w*|контракт\w*|меморандум\w*|документ\w*",
    number_words={"два": 2, "двух": 2, "три": 3, "трех": 3, "трёх": 3, "четыре": 4,
                  "пять": 5, "шесть": 6, "семь": 7, "восемь": 8, "девять": 9,
                  "десять": 10, "одиннадцать": 11, "двенадцать": 12},
    about_numbers={"десяток": 10, "десятка": 10, "дюжина": 12, "дюжины": 12, "сотня": 100,
                   "сотни": 100},
    speech=r"сказал\w*|заявил\w*|отметил\w*|подчеркнул\w*|добавил\w*|по словам|"
           r"сообщил\w*|говорит|заявляет|отмечает|подчеркивает|подчёркивает",
    copula=r"является|являлся|являлась|был|была|стал|стала|—",
    worth=r"на (?:общую )?сумму|общей стоимостью|стоимостью|на",
    year_suffix=r"(?:\s+(?:года|году|год|г\.))?",
)

LEXICONS = {"en": EN, "fr": FR, "ru": RU}

# Country adjectives that are not a prefix of the country's name in CLDR; the rest
# (Kazakh, German, Uzbek, Russian...) are found by sharing the name's first letters.
DEMONYMS: dict[str, dict[str, str]] = {
    "en": {"FR": r"French|Franco", "CN": r"Chinese", "GB": r"British", "US": r"American",
           "IT": r"Italian", "TR": r"Turkish", "KG": r"Kyrgyz", "TJ": r"Tajik",
           "TM": r"Turkmen", "AZ": r"Azerbaijani", "KZ": r"Kazakh\w*", "UZ": r"Uzbek\w*",
           "NL": r"Dutch", "CH": r"Swiss", "ES": r"Spanish", "JP": r"Japanese",
           "KR": r"Korean", "EU": r"EU"},
    "fr": {"FR": r"français\w*|française\w*|franco", "DE": r"allemand\w*|germano",
           "KZ": r"kazakh\w*",
           "UZ": r"ouzbek\w*", "CN": r"chinois\w*", "RU": r"russe\w*", "IT": r"italien\w*",
           "GB": r"britannique\w*", "US": r"américain\w*", "TR": r"turc\w*|turque\w*",
           "KG": r"kirghiz\w*", "TJ": r"tadjik\w*", "EU": r"UE"},
    "ru": {"FR": r"французск\w*|франко\w*", "DE": r"германск\w*|немецк\w*|германо\w*",
           "KZ": r"казахстанск\w*|казахск\w*|казахстано\w*",
           "UZ": r"узбекистанск\w*|узбекск\w*", "RU": r"российск\w*|русск\w*",
           "CN": r"китайск\w*", "US": r"американск\w*", "GB": r"британск\w*",
           "IT": r"итальянск\w*", "TR": r"турецк\w*", "KG": r"кыргызск\w*|киргизск\w*",
           "EU": r"ЕС|Евросоюз\w*"},
}

# Role words with their label in the other interface language (a start the editor checks).
ROLE_LABELS: tuple[tuple[str, str, str], ...] = (
    # (pattern in any of the three languages, en, fr)
    (r"prime minister|premier ministre|премьер[- ]министр\w*", "Prime Minister",
     "Premier ministre"),
    (r"federal chancellor|chancelier fédéral|федеральн\w* канцлер\w*", "Federal Chancellor",
     "Chancelier fédéral"),
    (r"chancellor|chancelier|канцлер\w*", "Chancellor", "Chancelier"),
    (r"head of state|chef d['’]état|глав\w* государства", "Head of State", "Chef de l'État"),
    (r"foreign minister\w*|minister of foreign affairs|ministre des affaires étrangères|"
     r"министр\w* иностранных дел", "Minister of Foreign Affairs",
     "Ministre des Affaires étrangères"),
    (r"vice[- –]president|vice-président|вице-президент\w*", "Vice-President",
     "Vice-président"),
    (r"president|président|президент\w*", "President", "Président"),
    (r"ambassador|ambassadeur|посол\w*|посл[аеу]", "Ambassador", "Ambassadeur"),
    (r"minister|ministre|министр\w*", "Minister", "Ministre"),
)

# Kinds of event that are one event when reported for the same day: a visit and the arrival,
# talks and the meeting and its welcome ceremony.
EVENT_FAMILIES: dict[str, str] = {
    "state_visit": "visit", "official_visit": "visit", "visit": "visit",
    "meeting": "meeting", "talks": "meeting", "ceremony": "meeting", "commission": "meeting",
}

# Titles of drafted events, by kind: ours, generic, for the editor to sharpen.
EVENT_TITLES: dict[str, tuple[str, str]] = {
    "state_visit": ("State visit", "Visite d'État"),
    "official_visit": ("Official visit", "Visite officielle"),
    "visit": ("Visit", "Visite"),
    "forum": ("Forum or summit", "Forum ou sommet"),
    "ceremony": ("Ceremony", "Cérémonie"),
    "meeting": ("Meeting", "Rencontre"),
    "commission": ("Intergovernmental commission", "Commission intergouvernementale"),
    "talks": ("Talks", "Entretiens"),
    "signing": ("Signing", "Signature"),
    "other": ("Event", "Événement"),
}

COUNT_LABELS: dict[str, tuple[str, str, str]] = {
    # code -> (en, fr, topic)
    "companies": ("companies", "entreprises", "economy"),
    "business_leaders": ("business leaders", "chefs d'entreprise", "economy"),
    "visas": ("visas", "visas", "people"),
    "students": ("students", "étudiants", "education"),
    "agreements": ("agreements", "accords", "diplomacy"),
    "projects": ("projects", "projets", "economy"),
    "programmes": ("programmes", "programmes", "education"),
}

# Russian stems of the sector codes of data/sectors.yaml, which has French and English labels.
SECTORS_RU: dict[str, str] = {
    "political": r"политическ", "trade": r"торгов|товарооборот", "economy": r"экономи",
    "culture": r"культур", "humanitarian": r"гуманитарн", "energy": r"энерг",
    "nuclear": r"атомн|ядерн", "renewables": r"возобновляем", "rare_metals": r"редкоземельн",
    "critical_raw_materials": r"критическ\w* сырь", "transport_logistics": r"транспорт|логистик",
    "health": r"здравоохранени|медицин", "tourism": r"туризм|туристическ",
    "education": r"образовани", "agriculture": r"сельскохозяйствен|сельск\w* хозяйств|агро",
    "urban_infrastructure": r"городск\w* инфраструктур", "aerospace": r"космическ|авиакосм",
    "finance": r"финанс", "defence": r"оборон", "environment": r"экологи",
    "digital": r"цифров", "water": r"водн\w* ресурс",
}
