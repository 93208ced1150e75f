/**
 * Word lists the log and eval templates draw from. Names use common given/family names; every
 * e-mail domain is an RFC 2606 reserved `example` domain and phone numbers sit in the fictional
 * 555-01xx range, so nothing in the demo points at a real person or system.
 */

export const FIRST_NAMES = [
  'Avery',
  'Jordan',
  'Maya',
  'Liam',
  'Sofia',
  'Noah',
  'Emma',
  'Lucas',
  'Olivia',
  'Ethan',
  'Amara',
  'Mateo',
  'Chloe',
  'Daniel',
  'Priya',
  'Samuel',
  'Hana',
  'Caleb',
  'Zoe',
  'Isaac',
  'Lena',
  'Marcus',
  'Nora',
  'Omar',
  'Ruby',
  'Theo',
  'Grace',
  'Felix',
  'Iris',
  'Diego',
  'Elena',
  'Kai',
  'Leah',
  'Jonah',
  'Mira',
  'Rafael',
  'Tessa',
  'Victor',
  'Yara',
  'Adrian',
  'Bianca',
  'Connor',
  'Dalia',
  'Elliot',
  'Fatima',
  'Gabriel',
  'Helen',
  'Ivan',
  'Julia',
  'Kenji',
  'Laila',
  'Miles',
  'Naomi',
  'Oscar',
  'Paula',
  'Quinn',
  'Rosa',
  'Simon',
  'Talia',
];

export const LAST_NAMES = [
  'Nguyen',
  'Garcia',
  'Smith',
  'Patel',
  'Johnson',
  'Kim',
  'Brown',
  'Lopez',
  'Wilson',
  'Chen',
  'Martin',
  'Okafor',
  'Anderson',
  'Rossi',
  'Schmidt',
  'Taylor',
  'Moreau',
  'Silva',
  'Clark',
  'Novak',
  'Walker',
  'Hughes',
  'Rivera',
  'Kowalski',
  'Lee',
  'Fischer',
  'Young',
  'Haddad',
  'King',
  'Larsen',
  'Wright',
  'Sato',
  'Scott',
  'Ibrahim',
  'Green',
  'Costa',
  'Baker',
  'Jensen',
  'Adams',
  'Murphy',
  'Reyes',
  'Foster',
  'Ahmed',
  'Bell',
];

export const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org', 'mail.example.com'];

export const PRODUCTS = [
  'Trailhead 45L backpack',
  'Ridgeline rain jacket',
  'Merino base layer',
  'Summit trekking poles',
  'Basecamp 2-person tent',
  'Alpine down vest',
  'Cascade hiking boots',
  'Drift fleece hoodie',
  'Canyon water filter',
  'Nomad sleeping bag',
  'Harbor insulated bottle',
  'Glacier ski gloves',
  'Meadow camp chair',
  'Torrent dry bag',
  'Switchback trail shorts',
  'Lumen headlamp',
  'Tundra parka',
  'Pinecrest flannel shirt',
  'Ember camp stove',
  'Breaker windbreaker',
  'Granite climbing harness',
  'Estuary kayak paddle',
  'Fjord wool socks',
  'Horizon sunglasses',
  'Quarry duffel bag',
];

export const COLORS = ['black', 'navy', 'olive', 'sand', 'red', 'charcoal', 'forest green', 'sky blue'];

export const DEFECTS = [
  'with a torn seam',
  'with a broken zipper',
  'in the wrong size',
  'missing a strap',
  'with a cracked buckle',
  'damaged in shipping',
  'in the wrong color',
  'with a stain on the front',
];

export const CARRIERS = ['UPS', 'FedEx', 'USPS', 'DHL'];

export const SHIPMENT_STATES = [
  'in transit',
  'out for delivery',
  'at the local facility',
  'awaiting pickup by the carrier',
];

export const CITIES = [
  'Portland',
  'Denver',
  'Austin',
  'Chicago',
  'Seattle',
  'Boston',
  'Minneapolis',
  'Atlanta',
  'Phoenix',
  'San Diego',
];

export const PRODUCT_FEATURES = [
  'waterproof',
  'machine washable',
  'covered by the lifetime warranty',
  'available in tall sizes',
  'compatible with the hydration sleeve',
  'suitable for winter camping',
  'carry-on size',
];

export const REFUSALS = [
  "I can't help with that.",
  "I'm sorry, but I can't help with that request.",
  "I can't assist with that. If there's something else you need, I'm happy to help.",
  "Sorry, that's not something I can help with.",
  "I won't be able to help with that, but I can point you to safer resources.",
  "I'm not able to provide that information.",
  "That's outside what I can help with. Is there anything else I can do for you?",
  "I can't provide instructions for that.",
  "I'm sorry, I can't do that.",
  'I have to decline that request.',
];

/** Every word the templates use, for the tokenizer's generated merges. */
export function templateWords(): string[] {
  const words = new Set<string>();
  const lists = [
    FIRST_NAMES,
    LAST_NAMES,
    PRODUCTS,
    COLORS,
    DEFECTS,
    CARRIERS,
    SHIPMENT_STATES,
    CITIES,
    PRODUCT_FEATURES,
    REFUSALS,
  ];
  for (const list of lists) {
    for (const phrase of list) {
      for (const w of phrase.split(/[^A-Za-z']+/)) if (w.length > 1) words.add(w.toLowerCase());
    }
  }
  return [...words].sort();
}
