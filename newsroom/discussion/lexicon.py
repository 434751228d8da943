"""The built-in content rules' words and phrases, in the entry syntax of ``matching``.

Each rule is a tuple of entries the policy holds a comment for (see ``ModerationPolicy``);
``CLASSES`` names the word classes they share. A word stands for its inflections unless
quoted, which is how nouns that are also verbs ("fool": "fooled") keep to the noun.
"""

from __future__ import annotations

import codecs

# People a threat or an insult is aimed at.
TARGETS = ("you", "u", "ya", "yourself", "yourselves", "him", "her", "them", "themselves")
SUBJECTS = ("you", "u", "he", "she", "they", "ye")
POSSESSIVES = ("your", "ur", "his", "her", "their")

CLASSES: dict[str, tuple[str, ...]] = {
    "target": TARGETS,
    "subject": SUBJECTS,
    "poss": POSSESSIVES,
    # Violence one person does to another.
    "kill": (
        "kill", "murder", "shoot", "stab", "hang", "lynch", "behead", "strangle", "slaughter",
        "butcher", "torture", "drown", "slay", "exterminate", "eradicate", "gas", "skin",
        "gut", "knife", "decapitate", "execute", "rape",
    ),
    "death": (
        "die", "dead", "killed", "shot", "hanged", "stabbed", "murdered", "lynched", "raped",
        "tortured", "executed", "beheaded", "burn", "rot", "choke",
    ),
    # Words that insult a person. Quoted: nouns that are also verbs or names.
    "insult": (
        "idiot", "moron", "imbecile", "cretin", "halfwit", "dimwit", "nitwit", "numpty",
        "dumbass", "jackass", "dipshit", "shithead", "dickhead", "douchebag", "scumbag",
        "asshole", "arsehole", "wanker", "tosser", "bellend", "pillock", '"fool"', '"fools"',
        '"loser"', '"losers"', '"clown"', '"clowns"', '"freak"', '"freaks"', '"coward"',
        '"cowards"', '"liar"', '"liars"', '"shill"', '"shills"', '"troll"', '"trolls"',
        '"hack"', '"hacks"', '"scum"', '"trash"', '"garbage"', '"pig"', '"pigs"', '"cow"',
        '"cows"', '"rat"', '"rats"', '"dog"', '"dogs"', '"snowflake"', '"snowflakes"',
        '"creep"', '"creeps"', '"worm"', '"worms"', '"stupid"', '"dumb"', '"ignorant"',
        '"pathetic"', '"brainless"', '"worthless"', '"useless"', '"disgusting"', '"retarded"',
        '"hag"', '"hags"', '"sheep"', '"inbred"', '"thick"', '"vile"', '"twit"', '"twits"',
        '"clueless"', '"nutcase"', '"psycho"', '"psychos"', '"witch"', '"bimbo"', '"bimbos"',
        '"airhead"', '"melt"', '"brainwashed"',
    ),
    # Animals, vermin and diseases, when people are called them.
    "animal": (
        "vermin", "cockroach", "rat", "parasite", "locust", "maggot", "louse", "lice",
        "animal", "beast", "savage", "ape", "monkey", "pig", "dog", "hyena", "jackal", "swine",
        "snake", "insect", "termite", "mongrel", "rodent", "leech",
    ),
    # What people are called to say that they are not people, besides animals.
    "vermin": (
        "@animal", "germ", "cancer", "plague", "disease", "virus", "subhuman", "barbarian",
        "psychotic", "filth", "scum", "infestation", "abomination",
    ),
    # Words for people as a group.
    "people": (
        "people", "they", "them", "these", "those", "nation", "race", "country", "migrant",
        "immigrant", "refugee", "foreigner", "muslim", "jew", "christian", "arab", "gay",
        "protester", "leftist", "liberal", "conservative",
    ),
}  # fmt: skip

#: Swearing, as the Discussion Policy's "profanity".
PROFANITY = (
    "fuck", "motherfucker", "fucking", "shit", "shitty", "bullshit", "crap", "crappy",
    "bollocks", "prick", "piss", "cunt", "twat", "arse", "asshole", "arsehole", "bastard",
    "wanker", '"cock"', "cockup", "dickhead", "bitch", "goddamn",
    # spelt without vowels, or half-spelt
    '"fck"', '"fk"', '"fuk"', '"fuq"', '"fcking"', '"fkn"', '"effing"', '"sh1t"',
    "screw you", "sod off", '"f" off', "shove it",
)  # fmt: skip

#: Insults aimed at a person: the Discussion Policy's "personal attacks".
PERSONAL_ATTACKS = (
    "idiot", "moron", "imbecile", "cretin", "halfwit", "dimwit", "nitwit", "numpty",
    "dumbass", "jackass", "dipshit", "shithead", "scumbag", "douchebag", "brainless",
    "pillock", "tosser", "bimbo", "airhead", "nutcase", "psycho",
    "you|youre|ur|ya ~4 @insult",
    "@insult like you",
    "what|such a|an ~1 @insult",
    "stupid|dumb|ignorant|pathetic|worthless|disgusting|senile|silly|paid|old|little @insult",
    "waste of oxygen|space|skin|air",
    "piece of garbage|trash|shit|crap|filth|scum|excrement",
    "brain dead",
    "mini|little|new|another|wannabe|baby|pocket hitler|stalin|mussolini",
    "too stupid|dumb|thick",
    "are|is|be ~1 this|so stupid|dumb|thick",
    "@insult human|person|man|woman|being|creature",
    "drop dead",
    "mental case|cases",
    "sad|pathetic|ugly|brainwashed|absolute|little @insult|man|woman|boy|girl|person",
    "-the|a|every little man|woman|boy|girl|person",
    "dumb|thick|stupid as a|two ~1 rock|rocks|brick|bricks|post|planks",
    "sack|bag of garbage|shit|crap|trash|lies",
    "nut job|jobs",
)  # fmt: skip

#: Threats and wishes of violence against people.
THREATS = (
    "@kill @target",
    "i|we|ill|im|gonna ~4 hurt|harm|beat|find @target",
    "i|we ~4 shoot|blow up",
    "hope|wish|pray ~1 @subject|@target|someone|somebody ~2 @death",
    "may @subject ~1 @death",
    "deserve|deserves ~2 bullet|death|die|shot|hanged|rope",
    "should|must|ought|need|needs ~2 be ~1 shot|hanged|killed|lynched|strung",
    "should|must|ought|need|needs ~2 be ~1 put down",
    "strung up",
    "put ~1 bullet in|into|through",
    "bullet|bullets in|into|between|through ~3 head|brain|eyes|skull",
    "slit|cut ~1 @poss ~1 throat|throats",
    "break|smash|snap ~1 @poss ~1 legs|neck|arms|jaw|bones|face|skull",
    "burn ~1 @poss|@target ~4 ground|alive|inside",
    "know where @subject live|lives",
    "watch @poss back",
    "better watch out",
    "coming for @target",
    "someone|somebody|needs ~3 take out",
    "we|should|must|lets ~2 bomb|nuke|gas|flatten",
    "run @target over|down",
    "@poss family|kids|children|wife|husband ~3 won|wont|not|never ~2 safe",
    "@subject ~2 be dead",
    "line|lined @target up",
    "@subject|@target ~1 should|must|ought|deserve|deserves ~2 hang|die|burn|rot|swing",
    "someone|somebody|anyone ~3 should|ought|needs|must|will|to @kill",
    "@kill the lot",
    "with @target in it|inside",
    "@poss family|kids|children|wife|husband ~3 will|gonna|going ~2 pay|suffer|regret",
    "@subject|@target ~3 never walk|talk|breathe again",
    "beat @target senseless|up|black|unconscious",
    "beat ~1 @target to death",
    "bomb|nuke @target",
    "should|must|ought|need|needs ~2 be ~1 beaten|burned|burnt|starved|gassed|castrated",
    "put @target in the ground",
    "left to starve|die|rot",
    "round @target ~1 up",
    "death to",
    "teach @target ~1 lesson",
    "swing|swinging from ~1 rope|tree|lamppost|gallows",
    "good beating|kicking|thrashing|hiding",
    "kys",
    "throw @target ~3 sea|river|fire|ocean|oven",
    "knock @poss|@target ~1 teeth|head|block",
    "hope|wish|pray for the day @subject|@poss",
    "waiting|wait outside @poss ~1 office|house|home|door|school",
)  # fmt: skip

#: Language that denies people their humanity: vermin, disease, "subhuman".
DEHUMANISING = (
    "subhuman", "untermensch", "untermenschen", '"savages"',
    "@people|you are|is|were ~3 @vermin",
    "are|were ~2 @animal",
    "-there|@animal are|were ~2 @animal",
    "like ~1 @animal",
    # idioms that compare people's work or luck to animals, not the people themselves
    "-like a dog with a bone",
    "-work|worked|working|works like a dog|dogs",
    "-sick as a dog",
    "-like cats and dogs",
    "-like rats ~3 sinking ship",
    "this|that|these|those|another|you @vermin",
    "pack|swarm|horde|bunch of ~1 @vermin",
    "@vermin ~3 lot of them",
    "breed like",
    "filthy|dirty|stinking|disgusting @animal",
    "back to the jungle|trees|caves|cave",
    "are|is|were not human|humans|people",
    "should|must|ought|need|needs ~2 be ~1 exterminated|eradicated",
    "should|must|ought|need|needs ~2 be ~1 put down",
    "should|must|ought|need|needs ~2 be ~1 wiped out",
)  # fmt: skip

# Slurs are stored in ROT13 so that the source does not spell them out for whoever reads
# it; they are decoded once, here, and matched like any entry (inflections and look-alikes).
_SLURS_ROT13 = (
    "avttre avttn snttbg xvxr genaal fcvp puvax ergneq gbjryurnq enturnq cnxv tlcb tlccb "
    "jbt qlxr jrgonpx tbbx ornare xnssve furznyr qnexvr tbyyvjbt lvq cvxrl fnaqavttre"
)
#: Slurs against people for their origin, religion, sexuality or disability; exceptions
#: keep the innocent phrases that share a word with one.
SLURS = (
    *codecs.decode(_SLURS_ROT13, "rot13").split(),
    "fag",
    "homo",
    "-homo sapiens|erectus|habilis|neanderthalensis",
    "-chink|chinks in",
    # in British English, a cigarette
    "-fag|fags packet|packets|end|ends|break|lighter|ash",
    "-packet|pack|smoke|smoking|light|roll of|a ~1 fag|fags",
    "-van dyke",
    "-offa dyke",
)

#: Advertising: the marks of spam that the link count does not see.
ADVERTISING = (
    "click here", "shop|order|buy now", "free spins", "online casino", "no prescription",
    "crypto|bitcoin|btc giveaway", "love spell", "spell caster", "singles in your area",
    "replica watches|bags|handbags", "work|working from home ~4 visit|click|here|www|http",
    "visit|order|shop ~2 www|http|https", "check out ~2 www|http|https",
    "check out my blog|site|channel|page", "buy ~4 followers|likes|views|subscribers",
    "hour|day|week|month from ~1 home|laptop|phone", "contact|message ~4 whatsapp|telegram",
    "send ~3 btc|bitcoin|eth ~4 receive|back|double", "viagra", "cialis", "payday loan",
    "claim ~1 yours|your|prize|reward|gift ~1 now|today|here", "weird trick", "doctors hate",
    "dm|message|inbox me ~1 for", "join my team", "make|making|earn money online|fast",
    "dating site", "sign up free|now|today", "guaranteed returns", "returns guaranteed",
    "investment opportunity",
)  # fmt: skip
