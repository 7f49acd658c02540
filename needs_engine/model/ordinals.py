"""The graded values a screener chooses from, each defined so two screeners pick the same one.

Values are listed least worrying first; a condition such as `>= 'problematic'` compares by
that order. Definitions are written for a front-door screener, in our own words.
"""

from __future__ import annotations

from .facts import ordinal

Immunisations = ordinal(
    "Immunisations",
    {
        "up_to_date": "All routine immunisations for the child's age have been given.",
        "partly_behind": "One or more routine immunisations are late but the family is engaging to catch up.",
        "not_started_or_refused_without_advice": "Few or none given, and the family has not engaged with health advice.",
    },
)

Growth = ordinal(
    "Growth",
    {
        "on_track": "Weight and height follow the child's expected centiles.",
        "below_expected": "Growth is below expected and is being monitored by a health professional.",
        "faltering": "Growth is faltering (crossing centiles downwards) without a medical explanation.",
    },
)

HealthNeeds = ordinal(
    "HealthNeeds",
    {
        "met": "Health needs (including any illness or condition) are met by the family and universal health services.",
        "minor_gaps": "Some health needs are not consistently met, e.g. repeated minor untreated problems or untreated dental decay.",
        "significant_unmet": "A diagnosed condition or significant health need is not being treated or managed.",
        "serious_harm_from_neglect": "A serious or life-limiting condition is neglected so that the child is at risk of harm.",
    },
)

Disability = ordinal(
    "Disability",
    {
        "none": "No known disability or long-term condition.",
        "needs_met_in_universal": "A disability or condition whose needs are met by universal services with ordinary adjustments.",
        "needs_extra_support": "A disability or condition needing coordinated support from more than one service.",
        "complex_needs": "Complex or multiple disabilities needing specialist, multi-agency support to meet daily needs.",
    },
)

ChildSubstanceUse = ordinal(
    "ChildSubstanceUse",
    {
        "none": "No known use of drugs, alcohol or volatile substances.",
        "experimenting": "Occasional experimental use with no evident effect on daily life.",
        "regular": "Regular use that is starting to affect school, health or relationships.",
        "daily_or_dependent": "Daily or dependent use.",
        "harmful": (
            "High-risk use: use that puts the child in danger (overdose, dangerous combinations or situations) "
            "or is seriously harming their health or development."
        ),
    },
)

SexualHealth = ordinal(
    "SexualHealth",
    {
        "no_concern": "No concern about the young person's sexual health or relationships.",
        "needs_advice": "Sexually active and would benefit from advice or sexual-health services.",
        "risky_behaviour": "Sexual behaviour that places them at risk (e.g. repeated STIs, unprotected sex with several partners, older partners).",
    },
)

AntenatalCare = ordinal(
    "AntenatalCare",
    {
        "booked_and_attending": "Booked with midwifery before 13 weeks and attending appointments.",
        "late_or_missed": "Booked late (after 20 weeks) or missing antenatal appointments.",
        "concealed_or_none": "The pregnancy is concealed or there has been no antenatal care.",
    },
)

Delay = ordinal(
    "Delay",
    {
        "on_track": "Developing as expected for age.",
        "some_delay": "Some delay, responding to universal support or a single service.",
        "significant_delay": "Significant or persistent delay needing specialist assessment or support.",
    },
)

SEND = ordinal(
    "SEND",
    {
        "none": "No identified special educational need.",
        "sen_support": "On SEN Support in school or setting.",
        "ehcp": "Has, or is being assessed for, an Education, Health and Care Plan.",
    },
)

MentalHealthChild = ordinal(
    "MentalHealthChild",
    {
        "none": "No known emotional or mental health difficulty.",
        "low_level": "Low mood, worry or anxiety that affects the child at times, manageable with universal support.",
        "moderate": "Persistent difficulties affecting school, sleep, eating or relationships; may need CAMHS or a specialist service.",
        "severe": "Severe or enduring mental illness, or a risk to the child's own safety from their mental health.",
    },
)

SelfHarm = ordinal(
    "SelfHarm",
    {
        "none": "No known self-harm or suicidal thoughts.",
        "thoughts": "Has spoken of self-harm or suicidal thoughts without acting on them.",
        "self_harming": "Is self-harming, without serious injury.",
        "serious_or_attempt": "Serious self-harm or a suicide attempt.",
    },
)

Behaviour = ordinal(
    "Behaviour",
    {
        "age_appropriate": "Behaviour is within what is expected for the child's age.",
        "some_difficulties": "Behaviour difficulties at home or school that respond to ordinary support.",
        "persistent_difficulties": "Persistent behaviour difficulties putting school place or family relationships at risk.",
        "risk_to_self_or_others": "Behaviour that places the child or others at risk of significant harm.",
    },
)

Frequency = ordinal(
    "Frequency",
    {
        "none": "Not happening, as far as is known.",
        "occasional": "Has happened occasionally.",
        "persistent": "Happens persistently, or seriously enough to affect the child's daily life.",
    },
)

SelfEsteem = ordinal(
    "SelfEsteem",
    {
        "positive": "The child has a positive sense of self and identity.",
        "low": "Low self-esteem or confidence that affects the child at times.",
        "very_low": "Very low self-worth, or distress about identity, affecting daily life.",
    },
)

CaringRole = ordinal(
    "CaringRole",
    {
        "none": "No caring responsibilities beyond ordinary help at home.",
        "some": "Helps care for a family member, with some effect on school or social life.",
        "significant": "Caring responsibilities are inappropriate for the child's age or are harming education, health or development.",
    },
)

RelationshipWithCarers = ordinal(
    "RelationshipWithCarers",
    {
        "warm": "A warm, secure relationship with their carers.",
        "strained": "Frequent arguments or a strained relationship, but the child feels cared for.",
        "breaking_down": "The relationship is breaking down: the child may leave or be asked to leave home.",
    },
)

AntisocialBehaviour = ordinal(
    "AntisocialBehaviour",
    {
        "none": "No known antisocial behaviour.",
        "low_level": "Low-level antisocial behaviour (e.g. a warning or a report to school or police).",
        "persistent": "Persistent antisocial behaviour, or an injunction or behaviour order.",
    },
)

Offending = ordinal(
    "Offending",
    {
        "none": "No known offending.",
        "out_of_court": "An out-of-court disposal, caution or youth diversion.",
        "charged_or_convicted": "Charged with or convicted of an offence, or under youth justice supervision.",
        "serious_or_violent": "Charged with or convicted of a serious or violent offence, or remanded.",
    },
)

Presentation = ordinal(
    "Presentation",
    {
        "appropriate": "Clean, dressed appropriately for the weather and age.",
        "sometimes_unkempt": "Sometimes unkempt or inappropriately dressed; noticed by others.",
        "persistently_unkempt": "Persistently dirty, smelly or inadequately dressed, affecting health or relationships.",
    },
)

SelfCare = ordinal(
    "SelfCare",
    {
        "age_appropriate": "Has the self-care skills expected for their age and ability.",
        "some_gaps": "Some gaps in self-care skills for their age, e.g. toileting, dressing or managing money.",
        "significant_gaps": "Significant gaps that leave the child at risk or dependent beyond their age and ability.",
    },
)

Risk = ordinal(
    "Risk",
    {
        "none": "No known indicators.",
        "low": "Some vulnerability or early indicators, but no known targeting or harm.",
        "medium": "Indicators that the child is being targeted, groomed or drawn in.",
        "high": "The child is being exploited or harmed, or is at immediate risk of it.",
    },
)

OnlineHarm = ordinal(
    "OnlineHarm",
    {
        "none": "No known concern about the child's online life.",
        "risky_use": "Risky online behaviour (contact with strangers, sharing personal information) without known harm.",
        "harmful_contact": "Harmful contact online: grooming, sextortion, sharing of sexual images, or serious cyberbullying.",
    },
)

RadicalisationConcern = ordinal(
    "RadicalisationConcern",
    {
        "none": "No known concern.",
        "some": "Expressing extremist views or engaging with extremist material, without known contact with recruiters.",
        "significant": "In contact with extremist individuals or groups, or planning harm; a Prevent referral is needed.",
    },
)

FGMRisk = ordinal(
    "FGMRisk",
    {
        "none": "No known risk of female genital mutilation.",
        "at_risk": "Factors indicate a risk of FGM (e.g. a sibling or mother has had FGM, planned travel to a practising community).",
        "suspected_or_confirmed": "FGM is suspected, disclosed or confirmed, or is about to take place.",
    },
)

ForcedMarriageRisk = ordinal(
    "ForcedMarriageRisk",
    {
        "none": "No known risk of forced marriage.",
        "at_risk": "Indicators of a possible forced marriage.",
        "imminent_or_occurred": "A forced marriage is planned, imminent or has taken place.",
    },
)

InjuryConcern = ordinal(
    "InjuryConcern",
    {
        "none": "No injury of concern.",
        "explained_minor": "A minor injury with a consistent explanation, as expected for the child's age and mobility.",
        "unexplained_or_suspicious": "An injury with no explanation, an explanation that does not fit, or of a suspicious pattern.",
    },
)

MentalHealthAdult = ordinal(
    "MentalHealthAdult",
    {
        "none": "No known mental health difficulty.",
        "mild": "Low mood or anxiety with little effect on parenting, managed with GP or universal support.",
        "diagnosed_stable": "A diagnosed condition that is stable and being managed, with some effect on parenting at times.",
        "diagnosed_unstable": "A condition that is unstable or untreated and regularly affects the care of the children.",
        "crisis": "Acute crisis: psychosis, suicidal intent, or a mental state that leaves the children unsafe.",
    },
)

SubstanceMisuse = ordinal(
    "SubstanceMisuse",
    {
        "none": "No known misuse of alcohol or drugs.",
        "occasional": "Occasional use that does not affect the care of the children.",
        "problematic": "Use of alcohol or drugs that affects the care of the children at times.",
        "dependent": "Dependent use, or use that regularly leaves the children without a safe, sober carer.",
    },
)

LearningDisability = ordinal(
    "LearningDisability",
    {
        "none": "No known learning disability.",
        "needs_some_support": "A learning disability or difficulty with some effect on parenting, met with advice and support.",
        "impacts_parenting": "A learning disability that means the carer cannot meet the children's needs without substantial support.",
    },
)

AdultOffending = ordinal(
    "AdultOffending",
    {
        "none": "No known offending.",
        "past": "Past offending with no current concern for the children.",
        "current": "Current or recent offending, or in prison or on licence, affecting family life.",
        "risk_to_children": "Convicted of, or known to pose a risk from, offences against children (including sexual offences).",
    },
)

Capacity = ordinal(
    "Capacity",
    {
        "good": "Meets the children's needs in this area consistently.",
        "some_gaps": "Mostly meets the children's needs, with gaps that advice or a single service could address.",
        "inconsistent": "Often does not meet the children's needs in this area; the children are affected.",
        "failing": "Consistently fails to meet the children's needs in this area, so the children are at risk of harm.",
    },
)

Engagement = ordinal(
    "Engagement",
    {
        "engaging": "Works with services and takes up the help offered.",
        "inconsistent": "Engages at times; appointments and agreed actions are often missed.",
        "not_engaging": "Does not engage, or avoids services, when the children's needs require it.",
        "hostile_or_evasive": "Hostile to professionals, or deliberately hides the children from them.",
    },
)

HousingStatus = ordinal(
    "HousingStatus",
    {
        "settled": "Settled housing (owned, rented or social) with no threat to the tenancy.",
        "at_risk": "The tenancy is at risk (arrears, notice served) or the home is overcrowded.",
        "temporary_accommodation": "In temporary or emergency accommodation, or sofa-surfing.",
        "homeless": "Homeless, with nowhere to stay tonight.",
    },
)

HousingConditions = ordinal(
    "HousingConditions",
    {
        "adequate": "The home is safe, warm and adequately clean.",
        "poor": "The home is in poor repair, damp or cluttered, affecting comfort or health.",
        "hazardous": "The home is hazardous: unsafe wiring, drugs or sharp items within reach, infestation, or squalor.",
    },
)

ParentalConflict = ordinal(
    "ParentalConflict",
    {
        "none": "No more disagreement than any family has.",
        "occasional": "Occasional heated arguments that the children sometimes witness.",
        "frequent": "Frequent, intense or unresolved conflict between the adults that affects the children.",
    },
)

Hardship = ordinal(
    "Hardship",
    {
        "none": "The household can meet its basic needs.",
        "some": "Money is tight; the household sometimes struggles with bills or food.",
        "severe": "The household cannot reliably afford food, heating or essentials for the children.",
    },
)

Isolation = ordinal(
    "Isolation",
    {
        "connected": "The family has friends, neighbours or community links.",
        "some_isolation": "The family has few connections and little support nearby.",
        "isolated": "The family is isolated, with no one to turn to.",
    },
)

WiderFamilyRisk = ordinal(
    "WiderFamilyRisk",
    {
        "none": "No concern about wider family or regular visitors.",
        "some_concern": "Wider family or visitors whose behaviour causes some concern (e.g. drinking, conflict).",
        "poses_risk": "A relative or visitor with access to the children is known to pose a risk to them.",
    },
)


# --- case status and history (issue 12) -------------------------------------------------------

CurrentPlan = ordinal(
    "CurrentPlan",
    {
        "none": "No open plan for the child.",
        "early_help_plan": "An open early help plan with a lead professional.",
        "child_in_need_plan": "An open Child in Need plan (section 17) with a social worker.",
        "child_protection_plan": "An open child protection plan (section 47 conference).",
    },
)

PreviousPlan = ordinal(
    "PreviousPlan",
    {
        "none": "The child has never had a child protection plan.",
        "more_than_two_years_ago": "A child protection plan that ended more than two years ago.",
        "within_two_years": "A child protection plan that ended within the last two years.",
    },
)

LookedAfter = ordinal(
    "LookedAfter",
    {
        "never": "Never looked after by a local authority.",
        "previously": "Looked after in the past (in care, or accommodated under section 20), now at home.",
        "currently": "Looked after by a local authority now.",
    },
)

LegalStatus = ordinal(
    "LegalStatus",
    {
        "none": "No court proceedings or orders about the child.",
        "private_law_dispute": "A court dispute between the adults about where the child lives or whom they see.",
        "pre_proceedings": "The local authority has started the pre-proceedings process (Public Law Outline letter).",
        "care_proceedings_or_order": "Care or supervision proceedings are under way, or such an order is in force.",
    },
)

PhysicalHealthAdult = ordinal(
    "PhysicalHealthAdult",
    {
        "none": "No physical illness or disability that affects daily life.",
        "managed": "A physical illness or disability that is managed and does not affect the care of the children.",
        "affects_care": "A physical illness or disability that at times limits the care the adult can give.",
        "severely_affects_care": "A physical illness or disability that stops the adult meeting the children's needs without help.",
    },
)

OtherMemberConcern = ordinal(
    "OtherMemberConcern",
    {
        "none": "No concern about anyone else in the household in this respect.",
        "some_impact": "Another household member has this difficulty, with some impact on family life.",
        "affects_children": "Another household member's difficulty affects the children's care, safety or wellbeing.",
    },
)

PersonPosingRisk = ordinal(
    "PersonPosingRisk",
    {
        "none": "No one else in the household is known to pose a risk to children.",
        "concern": "Another household member's behaviour towards children causes concern.",
        "known_risk_to_children": "Another household member has been convicted of, or is known to pose a risk of, offences against children.",
    },
)

# --- harm categories and qualifiers (issue 12) ------------------------------------------------

EmotionalAbuse = ordinal(
    "EmotionalAbuse",
    {
        "none": "No concern about how the child is spoken to or treated emotionally.",
        "some_concern": "At times the child is criticised, rejected or frightened in a way that affects them.",
        "persistent": "Persistent emotional ill-treatment: the child is made to feel worthless, unloved or in danger.",
    },
)

HonourBasedAbuse = ordinal(
    "HonourBasedAbuse",
    {
        "none": "No concern of abuse to protect a family's or community's 'honour'.",
        "at_risk": "The child is at risk of abuse to protect a family's or community's 'honour'.",
        "occurred": "The child has suffered abuse to protect a family's or community's 'honour'.",
    },
)

BreastIroning = ordinal(
    "BreastIroning",
    {
        "none": "No concern of breast ironing or flattening.",
        "at_risk": "The child is at risk of breast ironing or flattening.",
        "suspected_or_confirmed": "Breast ironing or flattening is suspected, disclosed or confirmed.",
    },
)

ChildOnChild = ordinal(
    "ChildOnChild",
    {
        "none": "No concern of abuse between children.",
        "single_incident": "One incident of physical, sexual or emotional abuse between children.",
        "repeated_or_serious": "Repeated abuse between children, or one serious incident.",
    },
)

ChildToParentViolence = ordinal(
    "ChildToParentViolence",
    {
        "none": "No violence or abuse by the child towards the adults at home.",
        "occasional": "Occasional aggression or violence by the child towards a parent or carer.",
        "frequent_or_serious": "Frequent violence by the child towards a parent or carer, or violence that causes injury or fear.",
    },
)

RelationshipAbuse = ordinal(
    "RelationshipAbuse",
    {
        "none": "No concern about abuse in the young person's own relationships.",
        "concern": "Controlling or abusive behaviour in the young person's own relationship.",
        "serious": "Violence, sexual abuse or coercive control in the young person's own relationship.",
    },
)

Suicidality = ordinal(
    "Suicidality",
    {
        "none": "No known suicidal thoughts.",
        "thoughts": "Has spoken of wanting to die or of suicidal thoughts, without a plan.",
        "plan": "Has a plan, or has taken steps towards ending their life.",
        "attempt": "Has attempted suicide.",
    },
)

Weight = ordinal(
    "Weight",
    {
        "healthy": "A healthy weight for height and age.",
        "overweight": "Overweight for height and age (above the 91st BMI centile).",
        "obese": "Obese for height and age (above the 98th BMI centile).",
        "severely_obese": "Severely obese (well above the 98th BMI centile), with health effects or unmet health needs.",
    },
)
